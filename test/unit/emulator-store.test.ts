// State: in memory by default; with dataDir, write-through JSON files (atomic rename) that survive a restart.

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { FileStore, MemoryStore, startEmulator } from "../../emulator";
import { cloneJson } from "../../emulator/store";
import type { RunningEmulator, Store } from "../../emulator";
import { SdkClient } from "../fixtures/emulator/harness";

const Q = "api-version=2023-11-01";
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "jobrouter-emu-"));
  dirs.push(d);
  return d;
}

function record(id: string, name: string) {
  return {
    id,
    etag: `"${id}"`,
    lastModified: "2026-01-01T00:00:00.000Z",
    createdAt: "2026-01-01T00:00:00.000Z",
    body: { name },
  };
}

describe.each([
  ["MemoryStore", (): Store => new MemoryStore()],
  ["FileStore", (): Store => new FileStore(tempDir())],
])("%s", (_name, make) => {
  it("keeps insertion order, replaces in place and copies on the way in and out", () => {
    const s = make();
    s.put("queues", record("b", "1"));
    s.put("queues", record("a", "2"));
    s.put("queues", record("b", "3"));
    expect(s.list("queues").map((r) => [r.id, r.body["name"]])).toEqual([
      ["b", "3"],
      ["a", "2"],
    ]);
    const got = s.get("queues", "a");
    expect(got?.body).toEqual({ name: "2" });
    if (got) got.body["name"] = "mutated";
    expect(s.get("queues", "a")?.body).toEqual({ name: "2" });
    expect(s.delete("queues", "a")).toBe(true);
    expect(s.delete("queues", "a")).toBe(false);
    expect(s.get("queues", "a")).toBeUndefined();
  });

  it("putOwned stores a handed-over record like put: same order, same seq on replace, copies on the way out", () => {
    const s = make();
    s.put("workers", record("w1", "1"));
    s.putOwned?.("workers", record("w2", "2"));
    s.putOwned?.("workers", record("w1", "3"));
    expect(s.list("workers").map((r) => [r.id, r.body["name"]])).toEqual([
      ["w1", "3"],
      ["w2", "2"],
    ]);
    const got = s.get("workers", "w2");
    if (got) got.body["name"] = "mutated";
    expect(s.get("workers", "w2")?.body).toEqual({ name: "2" });
  });

  it("serves any collection name, including the runtime's jobs and workers", () => {
    const s = make();
    s.put("jobs", record("j1", "job"));
    s.put("workers", record("w1", "worker"));
    expect(s.get("jobs", "j1")?.body).toEqual({ name: "job" });
    expect(s.list("workers").map((r) => r.id)).toEqual(["w1"]);
    expect(s.collections().sort()).toEqual(["jobs", "workers"]);
    expect(() => s.put("../evil", record("x", "x"))).toThrow(/invalid collection name/);
  });
});

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("cloneJson (the stores' copy)", () => {
  it("copies JSON deeply, as structuredClone does, and shares nothing with the original", () => {
    const original = JSON.parse(
      '{"id":"j1","body":{"labels":{"a":1,"b":true,"c":null,"d":"x"},"selectors":[{"key":"k","value":[1,2]}],' +
        '"notes":[],"n":-0.5},"meta":{"version":3}}',
    ) as Record<string, unknown>;
    const before = JSON.stringify(original);
    const copy = cloneJson(original);
    expect(copy).toStrictEqual(structuredClone(original));
    (copy["body"] as { labels: Record<string, unknown> }).labels["a"] = 2;
    ((copy["body"] as { selectors: { value: number[] }[] }).selectors[0]?.value ?? []).push(3);
    expect(JSON.stringify(original)).toBe(before);
  });

  it("keeps an own __proto__ member a member, keeps undefined members, and copies non-JSON values as structuredClone", () => {
    const withProto = JSON.parse('{"labels":{"__proto__":{"x":1}}}') as { labels: Record<string, unknown> };
    const copy = cloneJson(withProto);
    expect(Object.getPrototypeOf(copy.labels)).toBe(Object.prototype);
    expect(Object.keys(copy.labels)).toEqual(["__proto__"]);
    expect(copy.labels["__proto__"]).toEqual({ x: 1 });
    expect(Object.keys(cloneJson({ a: undefined, b: 1 }))).toEqual(["a", "b"]);
    const when = new Date("2026-01-01T00:00:00Z");
    const odd = cloneJson({ when, map: new Map([["k", 1]]) });
    expect(odd.when).not.toBe(when);
    expect(odd.when.getTime()).toBe(when.getTime());
    expect(odd.map.get("k")).toBe(1);
  });
});

describe("FileStore files", () => {
  it("writes one JSON file per record under an encoded name, leaves no temp files, and reloads", () => {
    const dir = tempDir();
    const s = new FileStore(dir);
    s.put("queues", record("../x/y", "odd id"));
    s.put("queues", record("plain", "p"));
    const files = readdirSync(join(dir, "queues")).sort();
    expect(files.every((f) => f.endsWith(".json"))).toBe(true);
    expect(files).toHaveLength(2);
    expect(files).toContain(`${Buffer.from("../x/y").toString("base64url")}.json`);
    const reloaded = new FileStore(dir);
    expect(reloaded.list("queues").map((r) => r.id)).toEqual(["../x/y", "plain"]);
    reloaded.putOwned("queues", record("owned", "o"));
    expect(new FileStore(dir).get("queues", "owned")?.body).toEqual({ name: "o" });
    reloaded.delete("queues", "owned");
    reloaded.delete("queues", "plain");
    expect(readdirSync(join(dir, "queues"))).toHaveLength(1);
  });

  it("ignores leftover temp files of an interrupted write and refuses a corrupt record", () => {
    const dir = tempDir();
    new FileStore(dir).put("queues", record("q", "ok"));
    writeFileSync(join(dir, "queues", "half.json.123.1.tmp"), '{"id":');
    expect(new FileStore(dir).list("queues").map((r) => r.id)).toEqual(["q"]);
    writeFileSync(join(dir, "queues", "bad.json"), JSON.stringify({ nope: true }));
    expect(() => new FileStore(dir)).toThrow(/is not a stored record/);
  });
});

describe("emulator --data", () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it("state survives a restart with the same data dir: objects, ETags, refusals", async () => {
    const dataDir = tempDir();
    const key = Buffer.from("0123456789abcdef0123456789abcdef").toString("base64");
    emu = await startEmulator({ dataDir, accessKey: key });
    let client = new SdkClient(emu.endpoint, key);
    const dp = await client.send("PATCH", `/routing/distributionPolicies/dp?${Q}`, {
      body: JSON.stringify({ offerExpiresAfterSeconds: 10, mode: { kind: "roundRobin" } }),
    });
    expect(dp.status).toBe(201);
    const q = await client.send("PATCH", `/routing/queues/q?${Q}`, {
      body: JSON.stringify({ distributionPolicyId: "dp" }),
    });
    expect(q.status).toBe(201);
    await emu.close();

    emu = await startEmulator({ dataDir, accessKey: key });
    client = new SdkClient(emu.endpoint, key);
    const got = await client.send("GET", `/routing/queues/q?${Q}`);
    expect(got.status).toBe(200);
    expect(got.headers["etag"]).toBe(q.headers["etag"]);
    expect(got.headers["last-modified"]).toBe(q.headers["last-modified"]);
    expect(got.body).toEqual(q.body);
    // Identical PATCH after restart keeps the ETag (the stored body is compared, not a cache).
    const again = await client.send("PATCH", `/routing/distributionPolicies/dp?${Q}`, {
      body: JSON.stringify({ offerExpiresAfterSeconds: 10, mode: { kind: "roundRobin" } }),
    });
    expect(again.status).toBe(200);
    expect(again.headers["etag"]).toBe(dp.headers["etag"]);
    const refused = await client.send("DELETE", `/routing/distributionPolicies/dp?${Q}`);
    expect(refused.status).toBe(400);
    // New objects continue the list order after the reloaded ones.
    await client.send("PATCH", `/routing/queues/a-later?${Q}`, {
      body: JSON.stringify({ distributionPolicyId: "dp" }),
    });
    const list = await client.send("GET", `/routing/queues?${Q}`);
    expect((list.body as { value: Array<{ id: string }> }).value.map((v) => v.id)).toEqual(["q", "a-later"]);
    const file = JSON.parse(
      readFileSync(join(dataDir, "queues", `${Buffer.from("q").toString("base64url")}.json`), "utf8"),
    ) as { id: string };
    expect(file.id).toBe("q");
  });

  it("in memory by default: a new emulator starts empty", async () => {
    emu = await startEmulator();
    const c = new SdkClient(emu.endpoint, emu.accessKey);
    expect((await c.send("PATCH", `/routing/exceptionPolicies/e?${Q}`, { body: "{}" })).status).toBe(201);
    await emu.close();
    emu = await startEmulator();
    const c2 = new SdkClient(emu.endpoint, emu.accessKey);
    expect((await c2.send("GET", `/routing/exceptionPolicies/e?${Q}`)).status).toBe(404);
  });
});
