// The four Job Router resources through the real engine (CLI → language host → program → dynamic-provider
// host → emulator), on a rich stack: every distribution mode (bestWorker with webhook and function scoring
// rules and options), every rule kind, every selector attachment kind for queues and workers, both
// exception triggers and all three actions. The steps run in order on one stack.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, type StateResource } from "./harness";
import {
  APP_KEY,
  COLLECTIONS,
  FUNCTION_KEY,
  PROGRAM_DIR,
  SCORING_SECRET,
  TYPE_TOKEN,
  WEBHOOK_SECRET,
  changedSteps,
  configFor,
  edit,
  listAll,
  richStack,
  type ResourceSpec,
} from "./providers-fixtures";

type Json = Record<string, unknown>;

async function get(h: Harness, collection: string, id: string): Promise<{ status: number; body: Json }> {
  const res = await h.request("GET", `/routing/${collection}/${encodeURIComponent(id)}`);
  return { status: res.status, body: (res.body ?? {}) as Json };
}

describe("Job Router resources end to end", () => {
  let h: Harness;
  let specs: ResourceSpec[] = richStack();

  async function apply(next: ResourceSpec[]): Promise<void> {
    specs = next;
    await h.current().setConfig(configFor(specs));
  }

  beforeAll(async () => {
    h = await createHarness({ name: "providers" });
    await h.stack({ programDir: PROGRAM_DIR }, { config: configFor(specs) });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("a first preview (ids still unknown) passes check without sending anything", async () => {
    const { result, requests } = await h.track(() => h.previewJson());
    expect(result.changeSummary).toEqual({ create: specs.length + 1 });
    expect(requests).toEqual([]);
  });

  it("up creates every object, referenced ones first", async () => {
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: specs.length + 1 });
    // One existence check (404) and one PATCH (201) per object; never a 4xx refusal.
    const patches = requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => r.status)).toEqual(specs.map(() => 201));
    const order = patches.map((r) => r.path);
    expect(order.indexOf("/routing/queues/q-support")).toBeGreaterThan(
      order.indexOf("/routing/distributionPolicies/dp-best"),
    );
    expect(order.indexOf("/routing/queues/q-support")).toBeGreaterThan(
      order.indexOf("/routing/exceptionPolicies/ep-main"),
    );
    expect(order.indexOf("/routing/classificationPolicies/cp-main")).toBeGreaterThan(
      order.indexOf("/routing/queues/q-fallback"),
    );

    const queue = await get(h, "queues", "q-support");
    expect(queue.body).toMatchObject({
      name: "Support",
      distributionPolicyId: "dp-best",
      exceptionPolicyId: "ep-main",
      labels: { Id: "q-support", lang: "en", tier: "gold", vip: false, capacity: 2 },
    });
    const ep = await get(h, "exceptionPolicies", "ep-main");
    const rules = ep.body["exceptionRules"] as Array<{ id: string; actions: Array<{ id: string }> }>;
    // Stable, provider-derived action ids (the service would otherwise generate GUIDs on every PATCH).
    expect(rules.flatMap((r) => r.actions.map((a) => a.id)).sort()).toEqual(
      ["long-queue-0-reclassify", "long-queue-1-cancel", "slow-0-manualReclassify"].sort(),
    );
    // Credentials reach the service in plaintext (the dynamic-provider host unwraps secrets for create).
    const best = await get(h, "distributionPolicies", "dp-best");
    expect(best.body["mode"]).toMatchObject({
      scoringRule: { clientCredential: { clientId: "scoring-client", clientSecret: SCORING_SECRET } },
    });
    const cp = await get(h, "classificationPolicies", "cp-main");
    expect((cp.body["queueSelectorAttachments"] as unknown[]).length).toBe(5);
    expect((cp.body["workerSelectorAttachments"] as unknown[]).length).toBe(5);
  });

  it("the Pulumi id is the Job Router id, and outputs hold the canonical inputs", async () => {
    const [queue] = (await h.resources(TYPE_TOKEN("RouterQueue"))).filter((r) => r.urn.endsWith("::q-support"));
    expect(queue?.id).toBe("q-support");
    expect(queue?.outputs).toMatchObject({
      queueId: "q-support",
      distributionPolicyId: "dp-best",
      labels: { lang: "en", tier: "gold" },
    });
    // The server's own `Id` label is not part of the resource's labels.
    expect((queue?.outputs?.["labels"] as Json)["Id"]).toBeUndefined();
    expect(typeof queue?.outputs?.["etag"]).toBe("string");
  });

  it("a no-op preview of the whole stack shows no change and sends no request at all", async () => {
    const { result, requests } = await h.track(() => h.previewJson());
    expect(changedSteps(result)).toEqual({});
    expect(result.changeSummary).toEqual({ same: specs.length + 1 });
    expect(requests).toEqual([]);
  });

  it("secrets never reach the state file in plaintext; the fields holding them are encrypted", async () => {
    const text = await h.stateText();
    for (const secret of [h.emulator.accessKey, WEBHOOK_SECRET, SCORING_SECRET, FUNCTION_KEY, APP_KEY]) {
      expect(text).not.toContain(secret);
    }
    const resources = await h.resources();
    const byName = (n: string): StateResource | undefined => resources.find((r) => r.urn.endsWith(`::${n}`));
    const isCiphertext = (v: unknown): boolean => typeof v === "object" && v !== null && "ciphertext" in v;
    // The plain-text scoring secret was encrypted by the resource itself (no pulumi.secret in the program).
    expect(isCiphertext(byName("dp-best")?.outputs?.["mode"])).toBe(true);
    expect(isCiphertext(byName("dp-best")?.inputs?.["mode"])).toBe(true);
    expect(isCiphertext(byName("cp-main")?.outputs?.["workerSelectorAttachments"])).toBe(true);
    expect(isCiphertext(byName("cp-webhook")?.outputs?.["prioritizationRule"])).toBe(true);
    // Fields without credentials stay readable, so diffs of them stay readable too.
    expect(isCiphertext(byName("cp-main")?.outputs?.["queueSelectorAttachments"])).toBe(false);
    expect(isCiphertext(byName("dp-idle")?.outputs?.["mode"])).toBe(false);
  });

  it("measures the serialized provider and the state per resource", async () => {
    const resources = (await h.resources()).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/jobrouter:"));
    const rows = resources.map((r) => {
      const provider = String(r.inputs?.["__provider"] ?? "");
      return {
        resource: r.urn.split("::").pop(),
        type: r.type.split(":").pop(),
        providerBytes: Buffer.byteLength(provider),
        providerCopies: [r.inputs?.["__provider"], r.outputs?.["__provider"]].filter((p) => p === provider).length,
        stateBytes: Buffer.byteLength(JSON.stringify(r)),
      };
    });
    console.log(
      `[providers e2e] per-resource sizes (JSON.stringify of each state resource):\n${JSON.stringify(rows, null, 1)}`,
    );
    for (const row of rows) {
      // A require of the installed package, not code: a few hundred bytes, stored twice (inputs and outputs).
      expect(row.providerBytes).toBeLessThan(600);
      expect(row.providerCopies).toBe(2);
    }
    const text = String(resources[0]?.inputs?.["__provider"]);
    expect(text).toMatch(/require\("pulumi-jobrouter\/dist\/provider\/resources\/\w+Provider\.js"\)/);
  });

  it("changing one field previews exactly that field as an update, and up applies it", async () => {
    await apply(
      edit(
        edit(specs, "q-support", (a) => (a["name"] = "Support (EN)")),
        "dp-idle",
        (a) => ((a["mode"] as Json)["maxConcurrentOffers"] = 6),
      ),
    );
    const preview = await h.previewJson();
    const steps = changedSteps(preview);
    expect(Object.keys(steps).sort()).toEqual(["dp-idle", "q-support"]);
    expect(steps["q-support"]?.op).toBe("update");
    expect(steps["q-support"]?.diffReasons).toEqual(["name"]);
    expect(steps["q-support"]?.detailedDiff).toEqual({ name: { kind: "update", inputDiff: true } });
    expect(steps["dp-idle"]?.op).toBe("update");
    expect(steps["dp-idle"]?.detailedDiff).toEqual({ "mode.maxConcurrentOffers": { kind: "update", inputDiff: true } });

    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toMatchObject({ update: 2 });
    // Updates are conditional on the ETag Pulumi last saw.
    expect(requests.filter((r) => r.method === "PATCH").map((r) => r.status)).toEqual([200, 200]);
    expect((await get(h, "queues", "q-support")).body["name"]).toBe("Support (EN)");
    expect(((await get(h, "distributionPolicies", "dp-idle")).body["mode"] as Json)["maxConcurrentOffers"]).toBe(6);
  });

  it("reordering set-like collections (selectors, attachments, rules) is no change", async () => {
    await apply(
      edit(specs, "cp-main", (a) => {
        (a["queueSelectorAttachments"] as unknown[]).reverse();
        const ws = a["workerSelectorAttachments"] as Array<Json>;
        ws.reverse();
        const conditional = ws.find((x) => x["kind"] === "conditional");
        (conditional?.["workerSelectors"] as unknown[]).reverse();
      }),
    );
    await apply(edit(specs, "ep-main", (a) => (a["exceptionRules"] as unknown[]).reverse()));
    const { result, requests } = await h.track(() => h.previewJson());
    expect(changedSteps(result)).toEqual({});
    expect(requests).toEqual([]);
  });

  it("removing a label or a selector removes it on the service", async () => {
    await apply(
      edit(
        edit(specs, "q-support", (a) => delete (a["labels"] as Json)["vip"]),
        "cp-main",
        (a) => {
          a["queueSelectorAttachments"] = (a["queueSelectorAttachments"] as Json[]).filter(
            (x) => x["kind"] !== "static",
          );
          const ws = a["workerSelectorAttachments"] as Json[];
          const conditional = ws.find((x) => x["kind"] === "conditional") as Json;
          conditional["workerSelectors"] = (conditional["workerSelectors"] as Json[]).filter(
            (s) => s["key"] !== "english",
          );
        },
      ),
    );
    const steps = changedSteps(await h.previewJson());
    expect(Object.keys(steps).sort()).toEqual(["cp-main", "q-support"]);
    expect(steps["q-support"]?.detailedDiff).toEqual({ "labels.vip": { kind: "delete", inputDiff: true } });
    expect(steps["cp-main"]?.diffReasons?.sort()).toEqual(["queueSelectorAttachments", "workerSelectorAttachments"]);

    const { requests } = await h.track(() => h.up());
    const queuePatch = requests.find((r) => r.method === "PATCH" && r.path === "/routing/queues/q-support");
    // Merge patch: the removed label is sent as null, otherwise it would linger on the service.
    expect(queuePatch?.body).toMatchObject({ labels: { vip: null } });
    const queue = await get(h, "queues", "q-support");
    expect(queue.body["labels"]).toEqual({ Id: "q-support", lang: "en", tier: "gold", capacity: 2 });
    const cp = await get(h, "classificationPolicies", "cp-main");
    const qsa = cp.body["queueSelectorAttachments"] as Json[];
    expect(qsa.map((x) => x["kind"]).sort()).toEqual([
      "conditional",
      "passThrough",
      "ruleEngine",
      "weightedAllocation",
    ]);
    const conditional = (cp.body["workerSelectorAttachments"] as Json[]).find((x) => x["kind"] === "conditional");
    expect((conditional?.["workerSelectors"] as Json[]).map((s) => s["key"])).toEqual(["skill"]);
    expect(changedSteps(await h.previewJson())).toEqual({});
  });

  it("changing the Job Router id is a replacement", async () => {
    await apply(edit(specs, "q-vip", (a) => (a["queueId"] = "q-vip-2")));
    const steps = changedSteps(await h.previewJson());
    expect(steps["q-vip"]?.op).toBe("replace");
    expect(steps["q-vip"]?.replaceReasons).toEqual(["queueId"]);

    const { result } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toMatchObject({ replace: 1 });
    expect((await get(h, "queues", "q-vip")).status).toBe(404);
    expect((await get(h, "queues", "q-vip-2")).body).toMatchObject({ name: "VIP", distributionPolicyId: "dp-idle" });
    const [vip] = (await h.resources(TYPE_TOKEN("RouterQueue"))).filter((r) => r.urn.endsWith("::q-vip"));
    expect(vip?.id).toBe("q-vip-2");
  });

  it("an out-of-band change is reported by refresh, previewed field by field, and repaired by up", async () => {
    const queueBefore = await get(h, "queues", "q-support");
    const oob1 = await h.request("PATCH", "/routing/queues/q-support", {
      name: "Renamed by hand",
      labels: { extra: "x" },
    });
    expect(oob1.status).toBe(200);
    const oob2 = await h.request("PATCH", "/routing/distributionPolicies/dp-rr", { offerExpiresAfterSeconds: 99 });
    expect(oob2.status).toBe(200);

    // Without a refresh, the preview (which never calls the service) cannot know.
    const refresh = await h.refresh();
    expect(refresh.summary.resourceChanges).toMatchObject({ update: 2 });

    const steps = changedSteps(await h.previewJson());
    expect(Object.keys(steps).sort()).toEqual(["dp-rr", "q-support"]);
    expect(steps["q-support"]?.detailedDiff).toEqual({
      name: { kind: "update", inputDiff: true },
      "labels.extra": { kind: "delete", inputDiff: true },
    });
    expect(steps["dp-rr"]?.detailedDiff).toEqual({ offerExpiresAfterSeconds: { kind: "update", inputDiff: true } });

    await h.up();
    const queueAfter = await get(h, "queues", "q-support");
    expect(queueAfter.body["name"]).toBe(queueBefore.body["name"]);
    expect(queueAfter.body["labels"]).toEqual(queueBefore.body["labels"]);
    expect((await get(h, "distributionPolicies", "dp-rr")).body["offerExpiresAfterSeconds"]).toBe(20);
    expect(changedSteps(await h.previewJson())).toEqual({});
  });

  it("a refresh that finds no drift changes nothing, and the next preview is empty", async () => {
    const refresh = await h.refresh();
    expect(refresh.summary.resourceChanges).toEqual({ same: specs.length + 1 });
    const { result, requests } = await h.track(() => h.previewJson());
    expect(changedSteps(result)).toEqual({});
    expect(requests).toEqual([]);
  });

  it("an out-of-band delete is dropped from state by refresh, and up recreates it", async () => {
    expect((await h.request("DELETE", "/routing/classificationPolicies/cp-webhook")).status).toBe(204);
    await h.refresh();
    const names = (await h.resources()).map((r) => r.urn.split("::").pop());
    expect(names).not.toContain("cp-webhook");
    expect(names).toContain("cp-main");

    const steps = changedSteps(await h.previewJson());
    expect(Object.keys(steps)).toEqual(["cp-webhook"]);
    expect(steps["cp-webhook"]?.op).toBe("create");
    await h.up();
    expect((await get(h, "classificationPolicies", "cp-webhook")).status).toBe(200);
  });

  it("destroy empties the emulator in an order the service accepts", async () => {
    const { result, requests } = await h.track(() => h.destroy());
    expect(result.summary.result).toBe("succeeded");
    const deletes = requests.filter((r) => r.method === "DELETE");
    expect(deletes).toHaveLength(specs.length);
    expect(deletes.every((r) => r.status === 204)).toBe(true);
    expect(await listAll(h)).toEqual([]);
    expect(COLLECTIONS.length).toBe(4);
  });
});
