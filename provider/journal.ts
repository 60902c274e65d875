// The create journal: how the provider recognises its own interrupted creates.
//
// A `pulumi up` killed mid-create can leave objects on the service that the state never recorded. After
// `pulumi refresh --clear-pending-creates`, the next `up` creates them again, finds them taken and (by
// design) refuses to take over an object it did not make. To tell "ours, interrupted" from "someone
// else's", `create` writes an entry here *before* its PATCH: the object's key (endpoint host, collection,
// Job Router id), its owner (project, stack, resource type and name: see ownership.ts), a salted hash of the
// canonical desired spec, and the time. A later create that finds the object existing adopts it only when a
// fresh "creating" entry for the same key, the same owner and the same spec hash exists: another stack, or
// another resource of this stack (a rename), never counts as "our own interrupted create".
//
// Once the engine has recorded the resource (the provider sees this on the resource's next diff, read, update
// or delete), its entry is settled: it becomes an ownership record that names the owner and vouches for
// nothing. Ownership records also hold hand-overs: a create that adopts an object writes one naming the new
// owner, and a delete by any other owner then leaves the object in place (a rename, or a move, followed by
// the old resource's delete in the same deployment). Records stay until their object is deleted by its owner;
// only "creating" entries expire.
//
// Nothing depends on the journal for safety: without it (a fresh CI runner) a create of an existing object is
// refused, and deletes follow the resource's state (ownership.ts). What it adds is the automatic recovery of an
// interrupted create, and messages that name who manages an object.
//
// The journal lives on the machine that ran the create, in a per-user directory that outlives runs:
// `$PULUMI_JOBROUTER_JOURNAL_DIR`, else `<PULUMI_HOME>/jobrouter-journal`, else `~/.pulumi/jobrouter-journal`.
// The engine's plugins inherit the CLI's environment, so PULUMI_HOME is the one the CLI uses.
//
// One small JSON file per key, named by the SHA-256 of the key, written to a temporary name and renamed:
// parallel creates (the engine runs several at once) and several provider host processes never see a
// half-written entry, and a rename replaces an older entry for the same key atomically. Entries hold no
// secret: the spec is only hashed, the key is made of the endpoint host and the id.

import { createHash, createHmac, randomBytes } from "node:crypto";
import { link, mkdir, readFile, readdir, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import type { AdminCollection } from "./client/models";
import { isObject, stableJson, type JsonObject } from "./json";

export const JOURNAL_DIR_ENV_VAR = "PULUMI_JOBROUTER_JOURNAL_DIR";

/** How long an entry vouches for an interrupted create: long enough for a recovery, short enough to forget. */
export const JOURNAL_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Clock skew tolerated for an entry dated in the future (another provider process, same machine). */
const FUTURE_SKEW_MS = 5 * 60 * 1000;

/** "creating": written before a create's write, may vouch; "owned": the engine has it, or it was adopted. */
export type EntryPhase = "creating" | "owned";

export interface JournalEntry {
  version: 2;
  /** `host/collection/id`, see journalKey. */
  key: string;
  /** The resource that created or adopted the object: `project/stack/type/name` (ownership.ts). */
  owner: string;
  phase: EntryPhase;
  /** HMAC-SHA256 (hex) of the canonical desired spec; only while "creating". */
  specSha256?: string;
  /** When the entry was written, ISO 8601. */
  createdAt: string;
}

// ------------------------------------------------------------------ pure helpers

/** The identity of an object across runs: the endpoint's host (with port), the collection and the id. */
export function journalKey(endpoint: string, collection: AdminCollection, id: string): string {
  const host = new URL(endpoint).host.toLowerCase();
  return `${host}/${collection}/${id}`;
}

/**
 * HMAC-SHA256 of the canonical spec's stable serialization, keyed with the journal's own random salt: equal specs,
 * equal hashes, whatever the key order. The salt matters because a spec may hold a credential (a function key, a
 * webhook client secret): without it, a weak secret could be guessed from an entry by hashing candidates.
 */
export function specHash(spec: JsonObject, salt: Buffer): string {
  return createHmac("sha256", salt).update(stableJson(spec), "utf8").digest("hex");
}

/** The entry's file name: the key hashed, so ids with any characters make a safe, fixed-length name. */
export function entryFileName(key: string): string {
  return `${createHash("sha256").update(key, "utf8").digest("hex")}.json`;
}

export function newEntry(key: string, owner: string, specSha256: string, now: Date): JournalEntry {
  return { version: 2, key, owner, phase: "creating", specSha256, createdAt: now.toISOString() };
}

export function ownedEntry(key: string, owner: string, now: Date): JournalEntry {
  return { version: 2, key, owner, phase: "owned", createdAt: now.toISOString() };
}

/** True when the entry is younger than `maxAgeMs` (and not implausibly far in the future). */
export function isFresh(entry: JournalEntry, now: Date, maxAgeMs: number = JOURNAL_MAX_AGE_MS): boolean {
  const at = Date.parse(entry.createdAt);
  if (Number.isNaN(at)) return false;
  const age = now.getTime() - at;
  return age < maxAgeMs && age > -FUTURE_SKEW_MS;
}

/**
 * Whether the entry records an interrupted create of exactly this object, by exactly this resource of this stack,
 * with exactly this spec. A settled entry ("owned") never vouches: the engine had recorded that create.
 */
export function vouchesFor(
  entry: JournalEntry | undefined,
  key: string,
  owner: string | undefined,
  specSha256: string,
  now: Date,
): boolean {
  return (
    entry !== undefined &&
    owner !== undefined &&
    entry.phase === "creating" &&
    entry.key === key &&
    entry.owner === owner &&
    entry.specSha256 === specSha256 &&
    isFresh(entry, now)
  );
}

/** An entry read back from disk, or undefined when the content is not one (damaged, foreign, older format). */
export function parseEntry(text: string): JournalEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  // Version 1 entries (no owner) are not read: they could vouch for any stack, so they vouch for none.
  if (!isObject(value) || value["version"] !== 2) return undefined;
  const { key, owner, phase, specSha256, createdAt } = value;
  if (typeof key !== "string" || typeof owner !== "string" || owner === "" || typeof createdAt !== "string") {
    return undefined;
  }
  if (phase === "owned") return { version: 2, key, owner, phase, createdAt };
  if (phase !== "creating" || typeof specSha256 !== "string" || !/^[0-9a-f]{64}$/.test(specSha256)) return undefined;
  return { version: 2, key, owner, phase, specSha256, createdAt };
}

/** The journal directory for an environment and home directory. */
export function journalDirFor(env: Record<string, string | undefined>, homedir: string): string {
  const explicit = env[JOURNAL_DIR_ENV_VAR];
  if (explicit !== undefined && explicit !== "") return path.resolve(explicit);
  const pulumiHome = env["PULUMI_HOME"];
  const base = pulumiHome !== undefined && pulumiHome !== "" ? pulumiHome : path.join(homedir, ".pulumi");
  return path.resolve(base, "jobrouter-journal");
}

/** The journal directory of this process (read at each call, so a test can point it elsewhere). */
export function defaultJournalDir(): string {
  return journalDirFor(process.env, os.homedir());
}

// ------------------------------------------------------------------ the files

function isNotFound(e: unknown): boolean {
  return isObject(e) && e["code"] === "ENOENT";
}

/**
 * The journal's salt (32 random bytes in `<dir>/salt`, made on first use). Several processes may race to make it:
 * each writes a temporary file and links it into place; the loser reads the winner's.
 */
export async function journalSalt(dir: string): Promise<Buffer> {
  const file = path.join(dir, "salt");
  try {
    return await readFile(file);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, randomBytes(32), { mode: 0o600 });
  try {
    await link(tmp, file); // fails if another process made it first: then theirs is the salt
  } catch (e) {
    if (!isObject(e) || e["code"] !== "EEXIST") throw e;
  } finally {
    await rm(tmp, { force: true });
  }
  return readFile(file);
}

/** Writes (or replaces) an entry: a temporary file in the same directory, then a rename. */
export async function writeEntry(dir: string, entry: JournalEntry): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, entryFileName(entry.key));
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Records, before a create's write, that `owner` is about to create the object `key` with this spec. */
export async function recordCreate(
  dir: string,
  key: string,
  owner: string,
  specSha256: string,
  now: Date = new Date(),
): Promise<void> {
  await writeEntry(dir, newEntry(key, owner, specSha256, now));
}

/** Records that `owner` now owns the object `key` (an adoption: a hand-over from whoever had it). */
export async function recordOwner(dir: string, key: string, owner: string, now: Date = new Date()): Promise<void> {
  await writeEntry(dir, ownedEntry(key, owner, now));
}

/**
 * Settles `owner`'s "creating" entry for `key` into an ownership record that vouches for nothing: called when the
 * engine shows it has recorded the resource (its diff, read, update or delete). Returns whether it changed.
 */
export async function settleEntry(dir: string, key: string, owner: string, now: Date = new Date()): Promise<boolean> {
  const entry = await readEntry(dir, key);
  if (entry === undefined || entry.phase !== "creating" || entry.owner !== owner) return false;
  await writeEntry(dir, ownedEntry(key, owner, now));
  return true;
}

/** The entry for `key`, or undefined when there is none (or it is unreadable, or it belongs to another key). */
export async function readEntry(dir: string, key: string): Promise<JournalEntry | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, entryFileName(key)), "utf8");
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const entry = parseEntry(text);
  return entry?.key === key ? entry : undefined;
}

/** Removes the entry for `key`; none is fine. */
export async function removeEntry(dir: string, key: string): Promise<void> {
  try {
    await unlink(path.join(dir, entryFileName(key)));
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/**
 * Removes "creating" entries older than `maxAgeMs` (and temporary files a killed writer left behind). Best effort: a
 * file another process removes meanwhile is skipped. (An entry for the same key rewritten by another process
 * between this read and the unlink would be lost; that needs a create of the same object a day after the last
 * one, at the same instant, and costs only the automatic recovery of that one object.) Returns how many files
 * were removed.
 */
export async function pruneJournal(
  dir: string,
  now: Date = new Date(),
  maxAgeMs: number = JOURNAL_MAX_AGE_MS,
): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return 0;
    throw e;
  }
  let removed = 0;
  for (const name of names) {
    const file = path.join(dir, name);
    try {
      let stale: boolean;
      if (name.endsWith(".tmp")) {
        stale = now.getTime() - (await stat(file)).mtimeMs > maxAgeMs;
      } else if (name.endsWith(".json")) {
        const entry = parseEntry(await readFile(file, "utf8"));
        // A file that is not an entry goes by its age on disk. Ownership records stay: a hand-over must still
        // hold when the old owner's delete comes days later.
        if (entry === undefined) stale = now.getTime() - (await stat(file)).mtimeMs > maxAgeMs;
        else stale = entry.phase === "creating" && !isFresh(entry, now, maxAgeMs);
      } else {
        continue;
      }
      if (stale) {
        await unlink(file);
        removed++;
      }
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return removed;
}
