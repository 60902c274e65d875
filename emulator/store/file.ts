// Write-through JSON files: DIR/<collection>/<base64url(id)>.json, one file per record, written to a
// temporary file and renamed into place so a crash never leaves a half-written record. Ids are encoded
// because they may contain characters a file name cannot (and "." / "..").

import * as fs from "node:fs";
import * as path from "node:path";
import { MemoryStore } from "./memory";
import type { CollectionName, StoredRecord } from "./types";
import { checkCollectionName } from "./types";

function fileName(id: string): string {
  return `${Buffer.from(id, "utf8").toString("base64url")}.json`;
}

function isRecord(value: unknown): value is StoredRecord {
  if (typeof value !== "object" || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r["id"] === "string" &&
    typeof r["etag"] === "string" &&
    typeof r["seq"] === "number" &&
    typeof r["body"] === "object"
  );
}

export class FileStore extends MemoryStore {
  private tmpCounter = 0;

  constructor(private readonly dir: string) {
    super();
    fs.mkdirSync(dir, { recursive: true });
    this.load();
  }

  private load(): void {
    for (const entry of fs.readdirSync(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || !/^[A-Za-z][A-Za-z0-9]*$/.test(entry.name)) continue;
      const b = this.bucket(entry.name);
      const folder = path.join(this.dir, entry.name);
      for (const file of fs.readdirSync(folder)) {
        if (!file.endsWith(".json")) continue; // leftovers of interrupted writes end in .tmp
        const parsed: unknown = JSON.parse(fs.readFileSync(path.join(folder, file), "utf8"));
        if (!isRecord(parsed)) throw new Error(`store: ${path.join(folder, file)} is not a stored record`);
        b.set(parsed.id, parsed);
        if (parsed.seq > this.seq) this.seq = parsed.seq;
      }
    }
  }

  protected override persist(collection: CollectionName, record: StoredRecord): void {
    checkCollectionName(collection);
    const folder = path.join(this.dir, collection);
    fs.mkdirSync(folder, { recursive: true });
    const target = path.join(folder, fileName(record.id));
    const tmp = `${target}.${process.pid}.${++this.tmpCounter}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(record));
    fs.renameSync(tmp, target);
  }

  protected override unpersist(collection: CollectionName, id: string): void {
    fs.rmSync(path.join(this.dir, collection, fileName(id)), { force: true });
  }
}
