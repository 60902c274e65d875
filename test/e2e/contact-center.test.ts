// ContactCenter through the real Pulumi engine against the emulator, in "existing Communication Services" mode:
// up creates every routing object in an order the service accepts, a change to one queue and one policy previews
// (and applies) as exactly those two updates, and destroy deletes in an order the service accepts.
//
// The program is inline (it runs in this process) and imports the package by name, as a user's program does, so the
// dynamic providers are serialized as require("pulumi-jobrouter/...").

import * as pulumi from "@pulumi/pulumi";
import { ContactCenter, type ContactCenterArgs } from "pulumi-jobrouter";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";

const CC_TYPE = "jobrouter:index:ContactCenter";
const QUEUE_TYPE = "pulumi-nodejs:dynamic/jobrouter:RouterQueue";
const DP_TYPE = "pulumi-nodejs:dynamic/jobrouter:DistributionPolicy";

/** What the test varies between deployments. */
interface Variant {
  salesLabels: Record<string, string>;
  fastOfferSeconds: number;
  /** The policy the escalations queue uses: "fast" (declared while in use) or "premium" (then "fast" is removed). */
  escalationsPolicy: "fast" | "premium";
}

function routing(v: Variant): Omit<ContactCenterArgs, "communicationServices"> {
  return {
    distributionPolicies: {
      "longest-idle": { name: "Longest idle", offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } },
      ...(v.escalationsPolicy === "fast"
        ? {
            fast: { name: "Fast", offerExpiresAfterSeconds: v.fastOfferSeconds, mode: { kind: "roundRobin" as const } },
          }
        : { premium: { name: "Premium", offerExpiresAfterSeconds: 20, mode: { kind: "longestIdle" as const } } }),
    },
    exceptionPolicies: {
      escalate: {
        name: "Escalate",
        exceptionRules: [
          {
            id: "slow",
            trigger: { kind: "waitTime", thresholdSeconds: 120 },
            actions: [{ kind: "manualReclassify", queue: "escalations", priority: 10 }],
          },
        ],
      },
    },
    classificationPolicies: {
      triage: { name: "Triage", fallbackQueue: "sales" },
    },
    queues: {
      sales: { name: "Sales", distributionPolicy: "longest-idle", exceptionPolicy: "escalate", labels: v.salesLabels },
      escalations: { name: "Escalations", distributionPolicy: v.escalationsPolicy },
    },
  };
}

let variant: Variant = { salesLabels: { line: "sales" }, fastOfferSeconds: 30, escalationsPolicy: "fast" };

async function program(): Promise<Record<string, unknown>> {
  const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
  const center = new ContactCenter("center", {
    communicationServices: { existing: { connectionString } },
    ...routing(variant),
  });
  return { endpoint: center.endpoint, ids: center.ids, connectionString: center.connectionString };
}

/** `METHOD /routing/<collection>/<id> status` for the admin writes and deletes in a request log. */
function adminCalls(requests: { method: string; path: string; status: number }[], method: string): string[] {
  return requests
    .filter(
      (r) =>
        r.method === method &&
        /^\/routing\/(distributionPolicies|queues|classificationPolicies|exceptionPolicies)\//.test(r.path),
    )
    .map((r) => `${r.path.replace(/^\/routing\//, "")} ${r.status}`);
}

describe("ContactCenter on the real engine (existing Communication Services, emulator)", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "contact-center" });
    await h.stack(program);
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("up creates every object, policies before the queues that use them", async () => {
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.result).toBe("succeeded");
    // stack + component + 2 distribution policies + 1 exception policy + 1 classification policy + 2 queues
    expect(result.summary.resourceChanges).toEqual({ create: 8 });

    const writes = adminCalls(requests, "PATCH");
    expect(writes.every((w) => w.endsWith(" 201"))).toBe(true);
    const at = (p: string) => writes.findIndex((w) => w.startsWith(`${p} `));
    for (const p of [
      "distributionPolicies/longest-idle",
      "distributionPolicies/fast",
      "exceptionPolicies/escalate",
      "classificationPolicies/triage",
      "queues/sales",
      "queues/escalations",
    ]) {
      expect(at(p), p).toBeGreaterThanOrEqual(0);
    }
    expect(at("distributionPolicies/longest-idle")).toBeLessThan(at("queues/sales"));
    expect(at("exceptionPolicies/escalate")).toBeLessThan(at("queues/sales"));
    expect(at("distributionPolicies/fast")).toBeLessThan(at("queues/escalations"));
    expect(at("queues/escalations")).toBeLessThan(at("exceptionPolicies/escalate"));
    expect(at("queues/sales")).toBeLessThan(at("classificationPolicies/triage"));

    expect((await h.request("GET", "/routing/queues/sales")).body).toMatchObject({
      id: "sales",
      name: "Sales",
      distributionPolicyId: "longest-idle",
      exceptionPolicyId: "escalate",
      labels: { line: "sales" },
    });
    expect((await h.request("GET", "/routing/classificationPolicies/triage")).body).toMatchObject({
      fallbackQueueId: "sales",
    });
    expect((await h.request("GET", "/routing/exceptionPolicies/escalate")).body).toMatchObject({
      exceptionRules: [{ id: "slow", actions: [{ kind: "manualReclassify", queueId: "escalations", priority: 10 }] }],
    });

    expect(result.outputs.ids?.value).toEqual({
      distributionPolicies: { "longest-idle": "longest-idle", fast: "fast" },
      exceptionPolicies: { escalate: "escalate" },
      classificationPolicies: { triage: "triage" },
      queues: { sales: "sales", escalations: "escalations" },
    });
    expect(result.outputs.endpoint?.value).toBe(h.emulator.endpoint.replace(/\/$/, ""));
    expect(result.outputs.connectionString?.secret).toBe(true);
  });

  it("records the key references as dependencies and parents every object to the component", async () => {
    const [cc] = await h.resources(CC_TYPE);
    expect(cc).toBeDefined();
    const all = await h.resources();
    const urnOf = (suffix: string) => all.find((r) => r.urn.endsWith(`::${suffix}`))?.urn ?? `missing ${suffix}`;
    const byName = (suffix: string) => all.find((r) => r.urn.endsWith(`::${suffix}`));
    for (const r of all.filter((x) => x.type.startsWith("pulumi-nodejs:dynamic/"))) expect(r.parent).toBe(cc?.urn);
    expect(byName("center-queue-sales")?.dependencies).toEqual(
      expect.arrayContaining([urnOf("center-dp-longest-idle"), urnOf("center-ep-escalate")]),
    );
    expect(byName("center-ep-escalate")?.dependencies).toContain(urnOf("center-queue-escalations"));
    expect(byName("center-cp-triage")?.dependencies).toContain(urnOf("center-queue-sales"));
  });

  it("keeps the access key out of the state file", async () => {
    expect(await h.stateText()).not.toContain(h.emulator.accessKey);
  });

  it("previews a change to one queue and one policy as exactly those two updates", async () => {
    variant = { salesLabels: { line: "sales", tier: "gold" }, fastOfferSeconds: 45, escalationsPolicy: "fast" };
    const { result: preview, requests } = await h.track(() => h.previewJson());
    const changed = preview.steps.filter((s) => s.op !== "same");
    expect(changed.map((s) => `${s.op} ${s.urn.split("::").pop()}`).sort()).toEqual([
      "update center-dp-fast",
      "update center-queue-sales",
    ]);
    expect(changed.find((s) => s.urn.endsWith("::center-queue-sales"))?.diffReasons).toEqual(["labels"]);
    expect(changed.find((s) => s.urn.endsWith("::center-dp-fast"))?.diffReasons).toEqual(["offerExpiresAfterSeconds"]);
    expect(preview.changeSummary).toMatchObject({ update: 2 });
    // A preview writes nothing.
    expect(adminCalls(requests, "PATCH")).toEqual([]);
  });

  it("up applies only those two changes", async () => {
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toMatchObject({ update: 2 });
    expect(adminCalls(requests, "PATCH").sort()).toEqual(["distributionPolicies/fast 200", "queues/sales 200"]);
    expect((await h.request("GET", "/routing/queues/sales")).body).toMatchObject({
      labels: { line: "sales", tier: "gold" },
    });
    expect((await h.request("GET", "/routing/distributionPolicies/fast")).body).toMatchObject({
      offerExpiresAfterSeconds: 45,
    });
    const [fast] = (await h.resources(DP_TYPE)).filter((r) => r.id === "fast");
    expect(fast?.outputs).toMatchObject({ offerExpiresAfterSeconds: 45 });
    expect((await h.resources(QUEUE_TYPE)).map((r) => r.id).sort()).toEqual(["escalations", "sales"]);
  });

  it("moves a queue to a new policy: create the policy, update the queue, then delete the old policy", async () => {
    variant = { ...variant, escalationsPolicy: "premium" };
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toMatchObject({ create: 1, update: 1, delete: 1 });
    const calls = requests
      .filter((r) => r.method === "PATCH" || r.method === "DELETE")
      .map((r) => `${r.method} ${r.path.replace(/^\/routing\//, "")} ${r.status}`);
    expect(calls).toEqual([
      "PATCH distributionPolicies/premium 201",
      "PATCH queues/escalations 200",
      "DELETE distributionPolicies/fast 204",
    ]);
    expect((await h.request("GET", "/routing/queues/escalations")).body).toMatchObject({
      distributionPolicyId: "premium",
    });
  });

  it("destroy deletes dependents first, and the service accepts every delete", async () => {
    const { result, requests } = await h.track(() => h.destroy());
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ delete: 8 });
    const deletes = adminCalls(requests, "DELETE");
    expect(deletes).toHaveLength(6);
    expect(deletes.every((d) => d.endsWith(" 204"))).toBe(true);
    const at = (p: string) => deletes.findIndex((d) => d.startsWith(`${p} `));
    expect(at("classificationPolicies/triage")).toBeLessThan(at("queues/sales"));
    expect(at("queues/sales")).toBeLessThan(at("distributionPolicies/longest-idle"));
    expect(at("queues/sales")).toBeLessThan(at("exceptionPolicies/escalate"));
    expect(at("exceptionPolicies/escalate")).toBeLessThan(at("queues/escalations"));
    expect(at("queues/escalations")).toBeLessThan(at("distributionPolicies/premium"));
    for (const p of ["queues/sales", "distributionPolicies/longest-idle", "exceptionPolicies/escalate"]) {
      expect((await h.request("GET", `/routing/${p}`)).status).toBe(404);
    }
    expect(await h.resources()).toEqual([]);
  });
});

describe("ContactCenter validation on the real engine", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "contact-center-invalid" });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("fails the preview with the object and the unknown key named, and sends nothing", async () => {
    await h.stack(async () => {
      const connectionString = new pulumi.Config("jobrouter").requireSecret("connectionString");
      new ContactCenter("bad", {
        communicationServices: { existing: { connectionString } },
        distributionPolicies: { "longest-idle": {} },
        queues: { sales: { distributionPolicy: "longest-idel" } },
      });
    });
    const { result, requests } = await h.track(() =>
      h.preview().then(
        () => "succeeded",
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      ),
    );
    expect(result).toContain(
      'ContactCenter "bad": queues.sales.distributionPolicy: unknown distribution policy key "longest-idel"',
    );
    expect(requests).toEqual([]);
  });
});
