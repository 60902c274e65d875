// The provider methods against an in-process emulator, without the Pulumi engine: which requests each
// method sends, what it stores, and its error messages. (The same paths through the real engine are in
// test/e2e/providers*.test.ts.)

import { mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import * as engine from "../../provider/engine";
import { checkInputs } from "../../provider/check";
import type { ConnectionSources } from "../../provider/connection";
import type { JsonObject } from "../../provider/json";

let emu: RunningEmulator;
let sources: ConnectionSources;
// create journals to PULUMI_JOBROUTER_JOURNAL_DIR (provider/journal.ts): this file's own, never ~/.pulumi.
let journalDir: string;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  sources = { config: () => undefined, env: () => undefined };
  journalDir = await mkdtemp(path.join(os.tmpdir(), "jr-engine-journal-"));
  process.env["PULUMI_JOBROUTER_JOURNAL_DIR"] = journalDir;
  // Every queue needs a distribution policy (provider/client/validation.ts); the queues below share this one.
  const { JobRouterClient } = await import("../../provider/client");
  await JobRouterClient.fromConnectionString(emu.connectionString).upsert("distributionPolicies", BASE_DP, {
    mode: { kind: "roundRobin" },
  });
});

afterAll(async () => {
  await emu?.close();
  delete process.env["PULUMI_JOBROUTER_JOURNAL_DIR"];
  await rm(journalDir, { recursive: true, force: true });
});

beforeEach(() => emu.clearRequests());

const log = (): string[] => emu.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

const BASE_DP = "e-base-dp";

/** What the engine would pass to create: the checked inputs (queues get BASE_DP unless they name one). */
function checked(collection: Parameters<typeof checkInputs>[0], news: JsonObject): JsonObject {
  const withDp = collection === "queues" ? { distributionPolicyId: BASE_DP, ...news } : news;
  const out = checkInputs(collection, { ...withDp, connection: emu.connectionString }, sources);
  expect(out.failures).toEqual([]);
  return out.inputs;
}

describe("engine: create", () => {
  it("checks existence, then creates with one PATCH; outputs are the canonical spec plus the ETag", async () => {
    const inputs = checked("queues", { queueId: "e-q1", name: "Q", labels: { b: 2, a: 1 } });
    const { id, outs } = await engine.create("queues", inputs);
    expect(id).toBe("e-q1");
    expect(log()).toEqual(["GET /routing/queues/e-q1 404", "PATCH /routing/queues/e-q1 201"]);
    expect(outs).toMatchObject({
      queueId: "e-q1",
      name: "Q",
      labels: { a: 1, b: 2 },
      connection: emu.connectionString,
    });
    expect(typeof outs["etag"]).toBe("string");
    expect((outs["labels"] as JsonObject)["Id"]).toBeUndefined();
  });

  it("refuses to take over an existing object unless adoptExisting is set", async () => {
    const inputs = checked("queues", { queueId: "e-q1", name: "Other" });
    await expect(engine.create("queues", inputs)).rejects.toThrow(
      /cannot create queue "e-q1": an object with this id already exists/,
    );
    expect(log()).toEqual(["GET /routing/queues/e-q1 200"]);
  });

  it("adoption with nothing to change sends no write", async () => {
    const inputs = checked("queues", { queueId: "e-q1", name: "Q", labels: { a: 1, b: 2 }, adoptExisting: true });
    const { outs } = await engine.create("queues", inputs);
    expect(log()).toEqual(["GET /routing/queues/e-q1 200"]);
    expect(outs["adopted"]).toBe(true);
  });
});

describe("engine: leaving an object on delete (decided by the state)", () => {
  it("an adopted object is left in place; leaveOnDelete: false (an update without a request) lets delete delete it", async () => {
    const { JobRouterClient } = await import("../../provider/client");
    await JobRouterClient.fromConnectionString(emu.connectionString).upsert("queues", "e-adopt", {
      distributionPolicyId: BASE_DP,
    });
    // Another machine's journal: nothing here records the adoption (a fresh runner).
    const adopted = await engine.create("queues", checked("queues", { queueId: "e-adopt", adoptExisting: true }));
    expect(adopted.outs).toMatchObject({ adopted: true });
    emu.clearRequests();
    await engine.remove("queues", "e-adopt", adopted.outs);
    expect(log()).toEqual([]);
    const again = await engine.create("queues", checked("queues", { queueId: "e-adopt", adoptExisting: true }));
    emu.clearRequests();
    const updated = await engine.update(
      "queues",
      "e-adopt",
      again.outs,
      checked("queues", { queueId: "e-adopt", leaveOnDelete: false }),
    );
    expect(log()).toEqual([]);
    expect(updated.outs).toMatchObject({ adopted: true, leaveOnDelete: false });
    await engine.remove("queues", "e-adopt", updated.outs);
    expect(log()).toEqual(["DELETE /routing/queues/e-adopt 204"]);
  });

  it("a created object is deleted unless leaveOnDelete: true", async () => {
    const created = await engine.create("queues", checked("queues", { queueId: "e-made", leaveOnDelete: true }));
    expect(created.outs).toMatchObject({ adopted: false, leaveOnDelete: true });
    emu.clearRequests();
    await engine.remove("queues", "e-made", created.outs);
    expect(log()).toEqual([]);
    expect(emu.store.list("queues").some((q) => q.id === "e-made")).toBe(true);
    await engine.remove("queues", "e-made", { ...created.outs, leaveOnDelete: false });
    expect(log()).toEqual(["DELETE /routing/queues/e-made 204"]);
  });
});

describe("engine: update, read, delete", () => {
  let outs: JsonObject;

  it("update sends If-Match and nulls for removed labels", async () => {
    const created = await engine.create("queues", checked("queues", { queueId: "e-q2", labels: { keep: 1, drop: 2 } }));
    outs = created.outs;
    emu.clearRequests();
    const news = checked("queues", { queueId: "e-q2", labels: { keep: 1 } });
    const updated = await engine.update("queues", "e-q2", outs, news);
    expect(emu.requests.map((r) => [r.method, r.status, r.body])).toEqual([
      ["PATCH", 200, { distributionPolicyId: BASE_DP, labels: { keep: 1, drop: null } }],
    ]);
    expect(updated.outs["labels"]).toEqual({ keep: 1 });
    expect(updated.outs["etag"]).not.toBe(outs["etag"]);
    outs = updated.outs;
  });

  it("an update whose spec did not change sends nothing", async () => {
    const same = await engine.update(
      "queues",
      "e-q2",
      outs,
      checked("queues", { queueId: "e-q2", labels: { keep: 1 } }),
    );
    expect(log()).toEqual([]);
    expect(same.outs["etag"]).toBe(outs["etag"]);
  });

  it("read reports drift in props and in the reconstructed inputs; update on a stale ETag fails with advice", async () => {
    const { JobRouterClient } = await import("../../provider/client");
    const client = JobRouterClient.fromConnectionString(emu.connectionString);
    await client.upsert("queues", "e-q2", { name: "by hand" });
    await expect(
      engine.update("queues", "e-q2", outs, checked("queues", { queueId: "e-q2", labels: { keep: 3 } })),
    ).rejects.toThrow(/changed or deleted outside Pulumi .* Run `pulumi refresh`/);
    const read = await engine.read("queues", "e-q2", outs);
    expect(read.id).toBe("e-q2");
    expect(read.props).toMatchObject({ name: "by hand", labels: { keep: 1 } });
    expect(read.inputs).toEqual({
      queueId: "e-q2",
      name: "by hand",
      distributionPolicyId: BASE_DP,
      labels: { keep: 1 },
      connection: emu.connectionString,
      connectedTo: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/? \(access key [0-9a-f]{12}\)$/),
    });
    expect(read.props?.["etag"]).not.toBe(outs["etag"]);
  });

  it("read of a deleted object returns an empty id; delete is idempotent", async () => {
    await engine.remove("queues", "e-q2", outs);
    await engine.remove("queues", "e-q2", outs);
    expect(await engine.read("queues", "e-q2", outs)).toEqual({ id: "" });
  });

  it("a refused delete explains what still uses the object", async () => {
    const dp = await engine.create(
      "distributionPolicies",
      checked("distributionPolicies", { distributionPolicyId: "e-dp", mode: { kind: "roundRobin" } }),
    );
    await engine.create("queues", checked("queues", { queueId: "e-q3", distributionPolicyId: "e-dp" }));
    const err = await engine.remove("distributionPolicies", "e-dp", dp.outs).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      'jobrouter: cannot delete distribution policy "e-dp": the service refused (400 BadRequest) because these still ' +
        'use it: queue "e-q3" (through distributionPolicyId): delete the queue or point it at another policy. ' +
        "If they are in this Pulumi program, make them reference this resource's outputs (for example " +
        "`distributionPolicyId: policy.id`) so Pulumi deletes or repoints them first.",
    );
    // Printed by the dynamic-provider host as `${e}: ${e.stack}`: no stack frames to print.
    expect((err as Error).stack).toBe("");
  });

  it("a queue that is still a fallback queue cannot be deleted; the message says why", async () => {
    const q = await engine.create("queues", checked("queues", { queueId: "e-fallback" }));
    await engine.create(
      "classificationPolicies",
      checked("classificationPolicies", { classificationPolicyId: "e-cp", fallbackQueueId: "e-fallback" }),
    );
    const { JobRouterClient } = await import("../../provider/client");
    await JobRouterClient.fromConnectionString(emu.connectionString).upsertWorker("e-worker", {
      queues: ["e-fallback"],
    });
    await expect(engine.remove("queues", "e-fallback", q.outs)).rejects.toThrow(
      'jobrouter: cannot delete queue "e-fallback": the service refused (409 Conflict) because these still use it: ' +
        'classification policy "e-cp" (through fallbackQueueId): delete the classification policy or give it another ' +
        'fallbackQueueId; worker "e-worker" (through queues): remove the queue from the worker\'s queues (or delete the worker).',
    );
  });

  it("exception policies are sent with derived action ids, which never reach the outputs", async () => {
    const inputs = checked("exceptionPolicies", {
      exceptionPolicyId: "e-ep",
      exceptionRules: [{ id: "r1", trigger: { kind: "queueLength", threshold: 5 }, actions: [{ kind: "cancel" }] }],
    });
    const { outs: epOuts } = await engine.create("exceptionPolicies", inputs);
    const patch = emu.requests.find((r) => r.method === "PATCH");
    expect(patch?.body).toMatchObject({
      exceptionRules: [{ id: "r1", actions: [{ kind: "cancel", id: "r1-0-cancel" }] }],
    });
    expect(epOuts["exceptionRules"]).toEqual([
      { id: "r1", trigger: { kind: "queueLength", threshold: 5 }, actions: [{ kind: "cancel" }] },
    ]);
  });

  it("without any connection, says the three ways to give one", async () => {
    await expect(engine.read("queues", "x", {})).rejects.toThrow(
      /connection.*jobrouter:connectionString.*JOBROUTER_CONNECTION_STRING/,
    );
  });
});
