// The create journal: its pure helpers (key, hash, freshness, parsing, location), its files (atomic writes under
// concurrency, pruning), and what it changes in the provider's create and delete against an in-process emulator:
// an interrupted create of the same spec is adopted, everything else that already exists is still refused.
//
// Every test here uses its own journal directory (PULUMI_JOBROUTER_JOURNAL_DIR, read at each call): test files run
// in parallel processes and must neither share a journal nor touch the user's ~/.pulumi.

import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { JobRouterClient } from "../../provider/client/client";
import { checkInputs } from "../../provider/check";
import type { ConnectionSources } from "../../provider/connection";
import * as engine from "../../provider/engine";
import type { JsonObject } from "../../provider/json";
import {
  JOURNAL_DIR_ENV_VAR,
  JOURNAL_MAX_AGE_MS,
  entryFileName,
  isFresh,
  journalDirFor,
  journalKey,
  newEntry,
  parseEntry,
  pruneJournal,
  ownedEntry,
  readEntry,
  recordCreate,
  recordOwner,
  removeEntry,
  settleEntry,
  specHash,
  journalSalt,
  vouchesFor,
} from "../../provider/journal";
import { ownerFor } from "../../provider/ownership";

const HOUR = 60 * 60 * 1000;
const now = new Date("2026-11-24T10:00:00.000Z");
/** A fixed salt for the pure tests; the journal makes its own random one (journalSalt). */
const SALT = Buffer.alloc(32, 7);
const hashA = specHash({ name: "A" }, SALT);
const OWNER = ownerFor("proj", "dev", "RouterQueue", "vip");

describe("journal: pure helpers", () => {
  it("keys an object by endpoint host (with port, lower case), collection and id; path and scheme do not matter", () => {
    expect(journalKey("https://Contoso.Communication.Azure.com/", "queues", "q1")).toBe(
      "contoso.communication.azure.com/queues/q1",
    );
    expect(journalKey("http://127.0.0.1:4567", "distributionPolicies", "p")).toBe(
      "127.0.0.1:4567/distributionPolicies/p",
    );
    expect(journalKey("http://127.0.0.1:4567", "queues", "q1")).not.toBe(
      journalKey("http://127.0.0.1:4568", "queues", "q1"),
    );
    expect(journalKey("https://a.example", "queues", "q1")).not.toBe(
      journalKey("https://a.example", "exceptionPolicies", "q1"),
    );
  });

  it("hashes the spec by content: key order does not matter, any value does; the hash is SHA-256 hex", () => {
    const a = specHash({ name: "Q", labels: { a: 1, b: 2 }, offerExpiresAfterSeconds: 30 }, SALT);
    const b = specHash({ offerExpiresAfterSeconds: 30, labels: { b: 2, a: 1 }, name: "Q" }, SALT);
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash({ name: "Q", labels: { a: 1, b: 3 }, offerExpiresAfterSeconds: 30 }, SALT)).not.toBe(a);
    expect(specHash({ name: "Q", labels: { a: 1, b: 2 } }, SALT)).not.toBe(a);
  });

  it("keys the spec hash with the journal's salt, so a credential in a spec cannot be guessed from an entry", () => {
    const spec = { name: "Q", prioritizationRule: { kind: "function", credential: { functionKey: "weak" } } };
    expect(specHash(spec, SALT)).toBe(specHash(spec, Buffer.alloc(32, 7)));
    expect(specHash(spec, SALT)).not.toBe(specHash(spec, Buffer.alloc(32, 8)));
  });

  it("names the entry file by the key's SHA-256, so any id makes a safe file name", () => {
    const name = entryFileName("host/queues/../../etc/passwd");
    expect(name).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(entryFileName("host/queues/a")).not.toBe(entryFileName("host/queues/b"));
  });

  it("an entry is fresh for 24 hours, not after, and not when dated far in the future or unparseable", () => {
    const at = (ms: number): ReturnType<typeof newEntry> => newEntry("k", OWNER, hashA, new Date(now.getTime() + ms));
    expect(isFresh(at(0), now)).toBe(true);
    expect(isFresh(at(-23 * HOUR), now)).toBe(true);
    expect(isFresh(at(-JOURNAL_MAX_AGE_MS), now)).toBe(false);
    expect(isFresh(at(-25 * HOUR), now)).toBe(false);
    expect(isFresh(at(60_000), now)).toBe(true);
    expect(isFresh(at(2 * HOUR), now)).toBe(false);
    expect(isFresh({ ...at(0), createdAt: "yesterday" }, now)).toBe(false);
    expect(isFresh(at(-2 * HOUR), now, HOUR)).toBe(false);
  });

  it("vouches only for the same key, the same owner, the same spec hash, a fresh entry, and only while creating", () => {
    const entry = newEntry("h/queues/q1", OWNER, hashA, now);
    expect(vouchesFor(entry, "h/queues/q1", OWNER, hashA, now)).toBe(true);
    expect(vouchesFor(undefined, "h/queues/q1", OWNER, hashA, now)).toBe(false);
    expect(vouchesFor(entry, "h/queues/q2", OWNER, hashA, now)).toBe(false);
    expect(vouchesFor(entry, "h/queues/q1", OWNER, specHash({ name: "B" }, SALT), now)).toBe(false);
    expect(vouchesFor(entry, "h/queues/q1", OWNER, hashA, new Date(now.getTime() + 25 * HOUR))).toBe(false);
    // Another stack of the same project, another project, another resource name (a rename), no owner at all.
    expect(vouchesFor(entry, "h/queues/q1", ownerFor("proj", "prod", "RouterQueue", "vip"), hashA, now)).toBe(false);
    expect(vouchesFor(entry, "h/queues/q1", ownerFor("other", "dev", "RouterQueue", "vip"), hashA, now)).toBe(false);
    expect(vouchesFor(entry, "h/queues/q1", ownerFor("proj", "dev", "RouterQueue", "vip2"), hashA, now)).toBe(false);
    expect(vouchesFor(entry, "h/queues/q1", undefined, hashA, now)).toBe(false);
    // Settled (the engine recorded the create), or an adoption's hand-over: never vouches.
    expect(vouchesFor(ownedEntry("h/queues/q1", OWNER, now), "h/queues/q1", OWNER, hashA, now)).toBe(false);
  });

  it("parses what it writes and nothing else (version 1 entries, without an owner, are not read)", () => {
    const entry = newEntry("h/queues/q1", OWNER, hashA, now);
    expect(parseEntry(JSON.stringify(entry))).toEqual(entry);
    const owned = ownedEntry("h/queues/q1", OWNER, now);
    expect(parseEntry(JSON.stringify(owned))).toEqual(owned);
    expect(parseEntry("{")).toBeUndefined();
    expect(parseEntry("[]")).toBeUndefined();
    expect(
      parseEntry(JSON.stringify({ version: 1, key: "h/queues/q1", specSha256: hashA, createdAt: now.toISOString() })),
    ).toBeUndefined();
    expect(parseEntry(JSON.stringify({ ...entry, version: 3 }))).toBeUndefined();
    expect(parseEntry(JSON.stringify({ ...entry, owner: "" }))).toBeUndefined();
    expect(parseEntry(JSON.stringify({ ...entry, phase: "other" }))).toBeUndefined();
    expect(parseEntry(JSON.stringify({ ...entry, specSha256: "not-a-hash" }))).toBeUndefined();
    expect(parseEntry(JSON.stringify({ ...entry, createdAt: 5 }))).toBeUndefined();
  });

  it("lives in $PULUMI_JOBROUTER_JOURNAL_DIR, else <PULUMI_HOME>/jobrouter-journal, else ~/.pulumi/jobrouter-journal", () => {
    const home = path.join(path.sep, "home", "u");
    expect(journalDirFor({ [JOURNAL_DIR_ENV_VAR]: "/j", PULUMI_HOME: "/p" }, home)).toBe(path.resolve("/j"));
    expect(journalDirFor({ PULUMI_HOME: "/p" }, home)).toBe(path.resolve("/p/jobrouter-journal"));
    expect(journalDirFor({ [JOURNAL_DIR_ENV_VAR]: "", PULUMI_HOME: "" }, home)).toBe(
      path.join(home, ".pulumi", "jobrouter-journal"),
    );
  });
});

describe("journal: files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "jr-journal-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("records, reads back, replaces and removes an entry; a missing entry or directory reads as none", async () => {
    expect(await readEntry(path.join(dir, "absent"), "h/queues/q1")).toBeUndefined();
    await recordCreate(dir, "h/queues/q1", OWNER, hashA, now);
    expect(await readEntry(dir, "h/queues/q1")).toEqual(newEntry("h/queues/q1", OWNER, hashA, now));
    const hashB = specHash({ name: "B" }, SALT);
    await recordCreate(dir, "h/queues/q1", OWNER, hashB, now);
    expect((await readEntry(dir, "h/queues/q1"))?.specSha256).toBe(hashB);
    expect(await readEntry(dir, "h/queues/q2")).toBeUndefined();
    await removeEntry(dir, "h/queues/q1");
    await removeEntry(dir, "h/queues/q1");
    expect(await readEntry(dir, "h/queues/q1")).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it("makes one random salt per journal, the same for every concurrent caller and across calls", async () => {
    const salts = await Promise.all(Array.from({ length: 20 }, () => journalSalt(dir)));
    expect(salts[0]).toHaveLength(32);
    expect(new Set(salts.map((b) => b.toString("hex"))).size).toBe(1);
    expect((await journalSalt(dir)).equals(salts[0] as Buffer)).toBe(true);
    expect(await readdir(dir)).toEqual(["salt"]);
    const other = await mkdtemp(path.join(os.tmpdir(), "jr-journal-other-"));
    expect((await journalSalt(other)).equals(salts[0] as Buffer)).toBe(false);
    await rm(other, { recursive: true, force: true });
  });

  it("parallel writers (same key and different keys) leave only whole entries and no temporary files", async () => {
    const hashes = Array.from({ length: 40 }, (_, i) => specHash({ name: `n${i}` }, SALT));
    await Promise.all([
      ...hashes.map((h) => recordCreate(dir, "h/queues/same", OWNER, h, now)),
      ...hashes.map((h, i) => recordCreate(dir, `h/queues/q${i}`, OWNER, h, now)),
    ]);
    const names = await readdir(dir);
    expect(names.filter((n) => n.endsWith(".tmp"))).toEqual([]);
    expect(names.length).toBe(41);
    for (const name of names) expect(parseEntry(await readFile(path.join(dir, name), "utf8"))).toBeDefined();
    expect(hashes).toContain((await readEntry(dir, "h/queues/same"))?.specSha256);
  });

  it("an entry whose file holds another key's content does not vouch for this key", async () => {
    await writeFile(
      path.join(dir, entryFileName("h/queues/q1")),
      JSON.stringify(newEntry("h/queues/other", OWNER, hashA, now)),
    );
    expect(await readEntry(dir, "h/queues/q1")).toBeUndefined();
  });

  it("prunes creating entries older than 24 h; keeps fresh ones, ownership records of any age, unrelated files", async () => {
    await recordCreate(dir, "h/queues/old", OWNER, hashA, new Date(now.getTime() - 25 * HOUR));
    await recordCreate(dir, "h/queues/new", OWNER, hashA, new Date(now.getTime() - HOUR));
    await recordOwner(dir, "h/queues/owned", OWNER, new Date(now.getTime() - 90 * 24 * HOUR));
    await writeFile(path.join(dir, "README"), "not an entry");
    expect(await pruneJournal(dir, now)).toBe(1);
    expect(await readEntry(dir, "h/queues/old")).toBeUndefined();
    expect(await readEntry(dir, "h/queues/new")).toBeDefined();
    expect((await readEntry(dir, "h/queues/owned"))?.owner).toBe(OWNER);
    expect((await readdir(dir)).sort()).toEqual(
      [entryFileName("h/queues/new"), entryFileName("h/queues/owned"), "README"].sort(),
    );
    expect(await pruneJournal(path.join(dir, "absent"), now)).toBe(0);
  });

  it("settles only this owner's creating entry into an ownership record that no longer vouches", async () => {
    await recordCreate(dir, "h/queues/q1", OWNER, hashA, now);
    const other = ownerFor("proj", "dev", "RouterQueue", "renamed");
    expect(await settleEntry(dir, "h/queues/q1", other, now)).toBe(false);
    expect((await readEntry(dir, "h/queues/q1"))?.phase).toBe("creating");
    expect(await settleEntry(dir, "h/queues/q1", OWNER, now)).toBe(true);
    const settled = await readEntry(dir, "h/queues/q1");
    expect(settled).toEqual(ownedEntry("h/queues/q1", OWNER, now));
    expect(vouchesFor(settled, "h/queues/q1", OWNER, hashA, now)).toBe(false);
    expect(await settleEntry(dir, "h/queues/q1", OWNER, now)).toBe(false);
    expect(await settleEntry(dir, "h/queues/absent", OWNER, now)).toBe(false);
  });
});

describe("journal: provider create and delete", () => {
  let emu: RunningEmulator;
  let journalDir: string;
  let direct: JobRouterClient;
  const sources: ConnectionSources = { config: () => undefined, env: () => undefined };
  const savedEnv = process.env[JOURNAL_DIR_ENV_VAR];

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    journalDir = await mkdtemp(path.join(os.tmpdir(), "jr-journal-engine-"));
    process.env[JOURNAL_DIR_ENV_VAR] = journalDir;
    direct = JobRouterClient.fromConnectionString(emu.connectionString);
  });

  afterAll(async () => {
    if (savedEnv === undefined) delete process.env[JOURNAL_DIR_ENV_VAR];
    else process.env[JOURNAL_DIR_ENV_VAR] = savedEnv;
    await emu?.close();
    await rm(journalDir, { recursive: true, force: true });
  });

  beforeEach(() => emu.clearRequests());

  const log = (): string[] => emu.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
  const keyOf = (id: string): string => journalKey(emu.endpoint, "queues", id);

  const OWNER_Q = ownerFor("proj", "dev", "RouterQueue", "q");

  function checked(news: JsonObject, owner: string = OWNER_Q): JsonObject {
    const out = checkInputs("queues", { ...news, owner, connection: emu.connectionString }, sources);
    expect(out.failures).toEqual([]);
    return out.inputs;
  }

  async function policy(): Promise<void> {
    await direct.upsert("distributionPolicies", "j-dp", {
      name: "dp",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
    });
  }

  it("a create records the object's key and spec hash before its write, and no secret", async () => {
    await policy();
    emu.clearRequests();
    const inputs = checked({ queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp" });
    await engine.create("queues", inputs);
    expect(log()).toEqual(["GET /routing/queues/j-q1 404", "PATCH /routing/queues/j-q1 201"]);
    const entry = await readEntry(journalDir, keyOf("j-q1"));
    expect(entry?.key).toBe(keyOf("j-q1"));
    expect(entry?.owner).toBe(OWNER_Q);
    expect(entry?.phase).toBe("creating");
    expect(entry?.specSha256).toMatch(/^[0-9a-f]{64}$/);
    const text = await readFile(path.join(journalDir, entryFileName(keyOf("j-q1"))), "utf8");
    const accessKey = /accesskey=([^;]+)/i.exec(emu.connectionString)?.[1] ?? "";
    expect(accessKey.length).toBeGreaterThan(10);
    expect(text).not.toContain(accessKey);
    expect(text).not.toContain('"name"');
  });

  it("an interrupted create of the same spec (object exists, entry fresh) is adopted without a write", async () => {
    // The object exists, the engine never recorded it: the same create again.
    const inputs = checked({ queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp" });
    const { id, outs } = await engine.create("queues", inputs);
    expect(id).toBe("j-q1");
    expect(outs).toMatchObject({ queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp" });
    expect(typeof outs["etag"]).toBe("string");
    expect(log()).toEqual(["GET /routing/queues/j-q1 200"]);
  });

  it("the same id with another spec is still refused", async () => {
    const inputs = checked({ queueId: "j-q1", name: "Other", distributionPolicyId: "j-dp" });
    await expect(engine.create("queues", inputs)).rejects.toThrow(
      /cannot create queue "j-q1": an object with this id already exists at .*set `adoptExisting: true`/,
    );
    expect(log()).toEqual(["GET /routing/queues/j-q1 200"]);
  });

  it("another resource name (a rename) or another stack with the same spec is refused, naming the owner and the fix", async () => {
    const renamed = checked(
      { queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp" },
      ownerFor("proj", "dev", "RouterQueue", "q-renamed"),
    );
    await expect(engine.create("queues", renamed)).rejects.toThrow(
      /RouterQueue "q" of this stack manages it .*If you renamed "q" to "q-renamed", add `aliases: \[\{ name: "q" \}\]`/,
    );
    const stack2 = checked(
      { queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp", adoptExisting: true },
      ownerFor("proj", "prod", "RouterQueue", "q"),
    );
    await expect(engine.create("queues", stack2)).rejects.toThrow(/stack "dev" of this project manages it/);
    expect(log()).toEqual(["GET /routing/queues/j-q1 200", "GET /routing/queues/j-q1 200"]);
  });

  it("an object the provider did not create (no journal entry) is refused, even with the same spec", async () => {
    await direct.upsert("queues", "j-foreign", { name: "Q", distributionPolicyId: "j-dp" });
    expect(await readEntry(journalDir, keyOf("j-foreign"))).toBeUndefined();
    emu.clearRequests();
    const inputs = checked({ queueId: "j-foreign", name: "Q", distributionPolicyId: "j-dp" });
    await expect(engine.create("queues", inputs)).rejects.toThrow(
      /cannot create queue "j-foreign": an object with this id already exists/,
    );
    expect(log()).toEqual(["GET /routing/queues/j-foreign 200"]);
    expect(emu.store.get("queues", "j-foreign")?.body["name"]).toBe("Q");
  });

  it("an entry older than 24 h no longer vouches: refused", async () => {
    const inputs = checked({ queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp" });
    const fresh = await readEntry(journalDir, keyOf("j-q1"));
    expect(fresh).toBeDefined();
    await recordCreate(journalDir, keyOf("j-q1"), OWNER_Q, fresh?.specSha256 ?? "", new Date(Date.now() - 25 * HOUR));
    await expect(engine.create("queues", inputs)).rejects.toThrow(/an object with this id already exists/);
    // Back to a fresh entry for the tests below.
    await recordCreate(journalDir, keyOf("j-q1"), OWNER_Q, fresh?.specSha256 ?? "");
  });

  it("once the engine has recorded the resource (its diff runs), the entry no longer vouches", async () => {
    const inputs = checked({ queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp" });
    await engine.diff("queues", "j-q1", inputs, inputs);
    expect((await readEntry(journalDir, keyOf("j-q1")))?.phase).toBe("owned");
    await expect(engine.create("queues", inputs)).rejects.toThrow(/This resource created or adopted it earlier/);
    expect(log().filter((l) => !l.startsWith("GET "))).toEqual([]);
  });

  it("a delete leaves an object that another resource has taken over, and keeps the hand-over", async () => {
    const inputs = checked({ queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp" });
    const newOwner = ownerFor("proj", "dev", "RouterQueue", "q-renamed");
    await recordOwner(journalDir, keyOf("j-q1"), newOwner);
    await engine.remove("queues", "j-q1", inputs);
    expect(log()).toEqual([]);
    expect(emu.store.get("queues", "j-q1")).toBeDefined();
    expect((await readEntry(journalDir, keyOf("j-q1")))?.owner).toBe(newOwner);
    // Back to this resource as the owner for the delete test below.
    await recordOwner(journalDir, keyOf("j-q1"), OWNER_Q);
  });

  it("a journal that cannot be written fails the create before any request, naming the fix", async () => {
    const blocker = path.join(journalDir, "not-a-directory");
    await writeFile(blocker, "");
    process.env[JOURNAL_DIR_ENV_VAR] = path.join(blocker, "journal");
    try {
      const inputs = checked({ queueId: "j-unjournaled", name: "Q", distributionPolicyId: "j-dp" });
      await expect(engine.create("queues", inputs)).rejects.toThrow(
        /cannot create queue "j-unjournaled": the create journal at .* is not writable \(ENOTDIR\).*PULUMI_JOBROUTER_JOURNAL_DIR/,
      );
      expect(log()).toEqual([]); // the salt is read first: nothing reaches the service
      expect(emu.store.get("queues", "j-unjournaled")).toBeUndefined();
    } finally {
      process.env[JOURNAL_DIR_ENV_VAR] = journalDir;
      await rm(blocker);
    }
  });

  it("a successful delete removes the entry, so a later object with that id and spec is not taken over", async () => {
    const inputs = checked({ queueId: "j-q1", name: "Q", distributionPolicyId: "j-dp" });
    await engine.remove("queues", "j-q1", inputs);
    expect(log()).toEqual(["DELETE /routing/queues/j-q1 204"]);
    expect(await readEntry(journalDir, keyOf("j-q1"))).toBeUndefined();
    await direct.upsert("queues", "j-q1", { name: "Q", distributionPolicyId: "j-dp" });
    await expect(engine.create("queues", inputs)).rejects.toThrow(/an object with this id already exists/);
  });
});
