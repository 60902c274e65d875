// Safety of the write path through the real engine: refusing to take over an existing object unless
// `adoptExisting` is set (`true` only when it matches, `"overwrite"` converging it), If-Match with a clear 412 message, turning the service's
// refusal to delete an object still in use into a clear message, idempotent deletes, and the `connection`
// input routes (encrypted in state, enough on their own for destroy).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";
import { PROGRAM_DIR, TYPE_TOKEN, configFor, type ResourceSpec } from "./providers-fixtures";

type Json = Record<string, unknown>;

function failureOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "succeeded",
    (e: unknown) => String(e),
  );
}

describe("adoption, preconditions, refusals, idempotent deletes", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "providers-life" });
    await h.stack({ programDir: PROGRAM_DIR }, { config: configFor([]) });
    // Every queue needs a distribution policy; the hand-made and adopted queues below use this one.
    expect(
      (await h.request("PATCH", "/routing/distributionPolicies/dp-lc", { mode: { kind: "roundRobin" } })).status,
    ).toBe(201);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  const adopted = (extra: Json = {}): ResourceSpec => ({
    type: "RouterQueue",
    name: "adopt-me",
    args: { name: "Managed", distributionPolicyId: "dp-lc", labels: { keep: 1 }, ...extra },
  });

  it("create refuses an object that already exists, naming it and how to adopt it", async () => {
    const made = await h.request("PATCH", "/routing/queues/adopt-me", {
      name: "Made by hand",
      distributionPolicyId: "dp-lc",
      labels: { keep: 1, stray: "x" },
    });
    expect(made.status).toBe(201);
    await h.current().setConfig(configFor([adopted()]));
    const { result, requests } = await h.track(() => failureOf(h.up()));
    expect(result).toContain('jobrouter: cannot create queue "adopt-me": an object with this id already exists');
    expect(result).toContain("set `adoptExisting: true` (adopts it only if it matches this program");
    expect(result).toContain('`adoptExisting: "overwrite"` (adopts it and writes this program\'s configuration)');
    expect(result).toContain("choose another `queueId`");
    // Only the existence check reached the service; nothing was written.
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(["GET 200"]);
    expect((await h.request("GET", "/routing/queues/adopt-me")).body).toMatchObject({ name: "Made by hand" });
  });

  it("adoptExisting: true refuses an object that differs, listing the fields; nothing is written", async () => {
    await h.current().setConfig(configFor([adopted({ adoptExisting: true })]));
    const { result, requests } = await h.track(() => failureOf(h.up()));
    expect(result).toContain('cannot adopt queue "adopt-me"');
    expect(result).toContain('labels.stray: "x" → (absent)');
    expect(result).toContain('name: "Made by hand" → "Managed"');
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(["GET 200"]);
    expect((await h.request("GET", "/routing/queues/adopt-me")).body).toMatchObject({ name: "Made by hand" });
  });

  it('adoptExisting: "overwrite" takes the object over and converges it (stray labels removed)', async () => {
    await h.current().setConfig(configFor([adopted({ adoptExisting: "overwrite" })]));
    const { requests } = await h.track(() => h.up());
    const patch = requests.find((r) => r.method === "PATCH");
    expect(patch?.status).toBe(200);
    expect(patch?.body).toEqual({ name: "Managed", distributionPolicyId: "dp-lc", labels: { keep: 1, stray: null } });
    const live = (await h.request("GET", "/routing/queues/adopt-me")).body as Json;
    expect(live).toMatchObject({ name: "Managed", labels: { Id: "adopt-me", keep: 1 } });
    expect((live["labels"] as Json)["stray"]).toBeUndefined();
    const [res] = await h.resources(TYPE_TOKEN("RouterQueue"));
    expect(res?.id).toBe("adopt-me");
    // Dropping the flag afterwards changes nothing: it only matters at create.
    await h.current().setConfig(configFor([adopted()]));
    const preview = await h.previewJson();
    expect(preview.changeSummary).toEqual({ same: 2 });
  });

  it("an update after an unseen out-of-band change fails on If-Match with a message that says what to do", async () => {
    expect((await h.request("PATCH", "/routing/queues/adopt-me", { name: "Edited by hand" })).status).toBe(200);
    await h.current().setConfig(configFor([adopted({ labels: { keep: 2 } })]));
    const { result, requests } = await h.track(() => failureOf(h.up()));
    expect(requests.filter((r) => r.method === "PATCH").map((r) => r.status)).toEqual([412]);
    expect(result).toContain(
      'jobrouter: queue "adopt-me" was changed or deleted outside Pulumi since this stack last saw it',
    );
    expect(result).toContain("412 Precondition Failed");
    expect(result).toContain("Run `pulumi refresh`");
    // Following the advice works: refresh, then up.
    await h.refresh();
    const steps = (await h.previewJson()).steps.filter((s) => s.op === "update");
    expect(steps[0]?.detailedDiff).toEqual({
      name: { kind: "update", inputDiff: true },
      "labels.keep": { kind: "update", inputDiff: true },
    });
    await h.up();
    expect((await h.request("GET", "/routing/queues/adopt-me")).body).toMatchObject({
      name: "Managed",
      labels: { keep: 2 },
    });
  });

  it("a delete the service refuses (policy still in use) fails with a clear message; the resource stays", async () => {
    const policy: ResourceSpec = {
      type: "DistributionPolicy",
      name: "dp-shared",
      args: { offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } },
    };
    await h.current().setConfig(configFor([adopted({ labels: { keep: 2 } }), policy]));
    await h.up();
    // Someone outside this stack points a queue at the policy.
    expect((await h.request("PATCH", "/routing/queues/intruder", { distributionPolicyId: "dp-shared" })).status).toBe(
      201,
    );

    await h.current().setConfig(configFor([adopted({ labels: { keep: 2 } })]));
    const result = await failureOf(h.up());
    expect(result).toContain(
      'jobrouter: cannot delete distribution policy "dp-shared": the service refused (400 BadRequest) because these still use it: queue "intruder" (through distributionPolicyId)',
    );
    expect(result).toContain("so Pulumi deletes or repoints them first");
    expect((await h.resources(TYPE_TOKEN("DistributionPolicy"))).map((r) => r.id)).toEqual(["dp-shared"]);

    expect((await h.request("DELETE", "/routing/queues/intruder")).status).toBe(204);
    await h.up();
    expect(await h.resources(TYPE_TOKEN("DistributionPolicy"))).toEqual([]);
    expect((await h.request("GET", "/routing/distributionPolicies/dp-shared")).status).toBe(404);
  });

  it("deleting an object that is already gone succeeds (idempotent delete)", async () => {
    // The queue was adopted, so its delete would leave it; leaveOnDelete: false makes the delete send DELETE.
    await h.current().setConfig(configFor([adopted({ labels: { keep: 2 }, leaveOnDelete: false })]));
    await h.up();
    expect((await h.request("DELETE", "/routing/queues/adopt-me")).status).toBe(204);
    await h.current().setConfig(configFor([]));
    // No refresh: the engine still believes the queue exists and asks the provider to delete it (the emulator answers
    // a DELETE of a missing object 204).
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toMatchObject({ delete: 1 });
    expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["DELETE /routing/queues/adopt-me 204"]);
    expect(await h.resources(TYPE_TOKEN("RouterQueue"))).toEqual([]);
  });

  it("exception policies keep their action ids across updates (no server-generated GUIDs)", async () => {
    const ep = (threshold: number): ResourceSpec => ({
      type: "ExceptionPolicy",
      name: "ep-stable",
      args: {
        exceptionRules: [
          {
            id: "slow",
            trigger: { kind: "waitTime", thresholdSeconds: threshold },
            actions: [
              { kind: "cancel", note: "late" },
              { kind: "reclassify", classificationPolicyId: "cp" },
            ],
          },
        ],
      },
    });
    await h.current().setConfig(configFor([ep(60)]));
    await h.up();
    await h.current().setConfig(configFor([ep(90)]));
    await h.up();
    const body = (await h.request("GET", "/routing/exceptionPolicies/ep-stable")).body as {
      exceptionRules: Array<{ actions: Array<{ id: string }> }>;
    };
    expect(body.exceptionRules[0]?.actions.map((a) => a.id)).toEqual(["slow-0-cancel", "slow-1-reclassify"]);
    const refresh = await h.refresh();
    expect(refresh.summary.resourceChanges).toEqual({ same: 2 });
    expect((await h.previewJson()).changeSummary).toEqual({ same: 2 });
  });

  it("connection given as an input (string, or endpoint and key) is encrypted in state and enough for destroy", async () => {
    const stack = await h.stack(
      { programDir: PROGRAM_DIR },
      {
        config: configFor([
          {
            type: "DistributionPolicy",
            name: "dp-conn",
            args: { connection: { $connection: "string" }, mode: { kind: "longestIdle" } },
          },
          {
            type: "RouterQueue",
            name: "q-conn",
            args: { connection: { $connection: "object" }, distributionPolicyId: { $ref: "dp-conn" } },
          },
        ]),
      },
    );
    await stack.up();
    const text = await stack.stateText();
    expect(text).not.toContain(h.emulator.accessKey);
    const resources = (await stack.resources()).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/jobrouter:"));
    expect(resources).toHaveLength(2);
    for (const r of resources) {
      expect(r.inputs?.["connection"]).toHaveProperty("ciphertext");
      expect(r.outputs?.["connection"]).toHaveProperty("ciphertext");
      expect(String(r.inputs?.["__provider"])).not.toContain("accesskey");
    }
    expect((await stack.previewJson()).changeSummary).toEqual({ same: 3 });

    // Without the stack config, the connection stored (encrypted) with each resource still reaches the service.
    await stack.stack.removeConfig("jobrouter:connectionString");
    const { result, requests } = await h.track(() => stack.destroy());
    expect(result.summary.result).toBe("succeeded");
    expect(requests.filter((r) => r.method === "DELETE").map((r) => `${r.path} ${r.status}`)).toEqual([
      "/routing/queues/q-conn 204",
      "/routing/distributionPolicies/dp-conn 204",
    ]);
  });

  it("connection from the environment variable: nothing of it is stored, and destroy still works", async () => {
    const stack = await h.stack(
      { programDir: PROGRAM_DIR },
      {
        config: configFor([
          { type: "RouterQueue", name: "q-env", args: { name: "Env", distributionPolicyId: "dp-lc" } },
        ]),
      },
    );
    await stack.stack.removeConfig("jobrouter:connectionString");
    stack.stack.workspace.envVars["JOBROUTER_CONNECTION_STRING"] = h.emulator.connectionString;
    await stack.up();
    expect((await h.request("GET", "/routing/queues/q-env")).body).toMatchObject({ name: "Env" });
    const text = await stack.stateText();
    expect(text).not.toContain(h.emulator.accessKey);
    expect(text.toLowerCase()).not.toContain("accesskey");
    const [queue] = await stack.resources(TYPE_TOKEN("RouterQueue"));
    expect(queue?.outputs?.["connection"]).toBeUndefined();
    await stack.destroy();
    expect((await h.request("GET", "/routing/queues/q-env")).status).toBe(404);
  });
});
