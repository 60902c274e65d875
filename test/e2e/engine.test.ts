// The real Pulumi engine, end to end: CLI → Node.js language host → program → dynamic-provider host → emulator.
// One small dynamic resource (test/e2e/harness/fixtures/distribution-policy) goes through up, a no-change
// preview, an update, refresh and destroy; every step is checked against the engine's state file and the requests
// the emulator saw. A second case runs an inline program (Automation API's in-process language server).

import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { createHarness, type Harness } from "./harness";

const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/e2e:DistributionPolicy";
const POLICY_PATH = "/routing/distributionPolicies/e2e-policy";
const fixture = path.join(__dirname, "harness", "fixtures", "distribution-policy");

describe("program on disk through the CLI's language host", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "engine" });
    await h.stack({ programDir: fixture });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("up creates the policy in the emulator and records it in state", async () => {
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.result).toBe("succeeded");
    expect(result.summary.resourceChanges).toEqual({ create: 2 });

    const writes = requests.filter((r) => r.method === "PATCH" && r.path === POLICY_PATH);
    expect(writes).toHaveLength(1);
    expect(writes[0]?.status).toBe(201);

    const stored = await h.request("GET", POLICY_PATH);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ id: "e2e-policy", name: "E2E policy", offerExpiresAfterSeconds: 60 });

    const [policy] = await h.resources(DYNAMIC_TYPE);
    expect(policy?.id).toBe("e2e-policy");
    expect(policy?.outputs).toMatchObject({ policyId: "e2e-policy", offerExpiresAfterSeconds: 60 });
    expect(result.outputs.policyId?.value).toBe("e2e-policy");
  });

  it("keeps the access key out of the state file in plaintext", async () => {
    const text = await h.stateText();
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(h.emulator.accessKey);
  });

  it("preview --json of the unchanged program shows only 'same' steps and sends nothing to the service", async () => {
    const { result: preview, requests } = await h.track(() => h.previewJson());
    // The engine's JSON lists the stack's step; unchanged custom resources only count in the summary.
    expect(preview.steps.length).toBeGreaterThan(0);
    expect(preview.steps.filter((s) => s.op !== "same")).toEqual([]);
    expect(preview.changeSummary).toEqual({ same: 2 });
    expect(requests).toEqual([]);
  });

  it("a config change previews as an update with a detailed diff", async () => {
    await h.current().setConfig({ offerExpiresAfterSeconds: { value: "90" } });
    const preview = await h.previewJson();
    const step = preview.steps.find((s) => s.urn.endsWith("::policy"));
    expect(step?.op).toBe("update");
    expect(step?.diffReasons).toEqual(["offerExpiresAfterSeconds"]);
    expect(step?.detailedDiff).toEqual({ offerExpiresAfterSeconds: { kind: "update", inputDiff: true } });
    expect(preview.changeSummary).toEqual({ update: 1, same: 1 });
  });

  it("up applies the change with one PATCH that updates the existing policy", async () => {
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toEqual({ update: 1, same: 1 });
    const writes = requests.filter((r) => r.method === "PATCH" && r.path === POLICY_PATH);
    expect(writes.map((r) => r.status)).toEqual([200]);
    expect((await h.request("GET", POLICY_PATH)).body).toMatchObject({ offerExpiresAfterSeconds: 90 });
  });

  it("refresh reads the policy back with one GET and changes nothing", async () => {
    const { result, requests } = await h.track(() => h.refresh());
    expect(result.summary.result).toBe("succeeded");
    expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET ${POLICY_PATH} 200`]);
    const [policy] = await h.resources(DYNAMIC_TYPE);
    expect(policy?.outputs).toMatchObject({ offerExpiresAfterSeconds: 90 });
  });

  it("destroy deletes the policy from the emulator and empties the state", async () => {
    const { result, requests } = await h.track(() => h.destroy());
    expect(result.summary.resourceChanges).toEqual({ delete: 2 });
    expect(requests.filter((r) => r.method === "DELETE").map((r) => `${r.path} ${r.status}`)).toEqual([
      `${POLICY_PATH} 204`,
    ]);
    expect((await h.request("GET", POLICY_PATH)).status).toBe(404);
    expect(await h.resources()).toEqual([]);
  });
});

describe("inline program through the Automation API", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "engine-inline" });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("deploys, previews with no changes, and destroys a dynamic resource", async () => {
    // A provider with no I/O: what matters here is that the inline program's resource reaches the
    // dynamic-provider host and back, with the provider's outputs in state.
    const provider: pulumi.dynamic.ResourceProvider = {
      async create(inputs) {
        return { id: `greeting-${inputs.who}`, outs: { ...inputs, text: `hello ${inputs.who}` } };
      },
    };
    class Greeting extends pulumi.dynamic.Resource {
      declare public readonly text: pulumi.Output<string>;
      constructor(name: string, who: string) {
        super(provider, name, { who, text: undefined }, {});
      }
    }
    await h.stack(async () => {
      const greeting = new Greeting("greeting", "engine");
      return { text: greeting.text };
    });

    const up = await h.up();
    expect(up.summary.resourceChanges).toEqual({ create: 2 });
    expect(up.outputs.text?.value).toBe("hello engine");
    const [res] = await h.resources("pulumi-nodejs:dynamic:Resource");
    expect(res?.id).toBe("greeting-engine");

    const preview = await h.previewJson();
    expect(preview.steps.map((s) => s.op)).toEqual(["same", "same"]);
    expect(preview.steps.find((s) => s.urn.endsWith("::greeting"))?.diffReasons ?? []).toEqual([]);
    expect(preview.changeSummary).toEqual({ same: 2 });

    const down = await h.destroy();
    expect(down.summary.resourceChanges).toEqual({ delete: 2 });
    expect(await h.resources()).toEqual([]);
  });
});
