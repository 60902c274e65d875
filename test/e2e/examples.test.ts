// The examples (and the root program), run as a user runs them: each Pulumi project directory goes through the real
// CLI and its language host (TypeScript through ts-node) against a fresh emulator. The harness copies the project
// into .cache/e2e inside the repository, so `import ... from "pulumi-jobrouter"` resolves to the built package in
// the repository's node_modules, with no npm install in the example.
//
// examples/contact-center needs Azure; it is exercised under Pulumi mocks in test/unit/contact-center-example.test.ts.

import { spawnSync } from "node:child_process";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, repoRoot, type Harness } from "./harness";

type Logged = { method: string; path: string; status: number };

/** `collection/id status` of the admin calls with this method, in the order the emulator answered them. */
function adminCalls(requests: Logged[], method: string): string[] {
  return requests
    .filter(
      (r) =>
        r.method === method &&
        /^\/routing\/(distributionPolicies|queues|classificationPolicies|exceptionPolicies)\//.test(r.path),
    )
    .map((r) => `${r.path.replace(/^\/routing\//, "")} ${r.status}`);
}

function example(name: string): { programDir: string } {
  return { programDir: path.join(repoRoot, "examples", name) };
}

const packDir = path.join(repoRoot, "policy");

/** The policy pack the GitOps workflow enforces; built once (its build skips when nothing changed). */
function buildPolicyPack(): void {
  const build = spawnSync(process.execPath, [path.join(packDir, "scripts", "build.js")], { encoding: "utf8" });
  expect(build.status, build.stdout + build.stderr).toBe(0);
}

/** A preview with the pack: resolves with the engine's output when no mandatory policy is violated, else throws. */
async function previewWithPolicyPack(h: Harness): Promise<string> {
  const result = await h.preview({ policyPacks: [packDir] });
  return result.stdout;
}

describe("examples/quickstart", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ name: "example-quickstart" });
    await h.stack(example("quickstart"));
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it("up creates the longest-idle policy, then the queue that uses it", async () => {
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toEqual({ create: 3 });
    expect(adminCalls(requests, "PATCH")).toEqual(["distributionPolicies/longest-idle 201", "queues/main 201"]);
    expect((await h.request("GET", "/routing/distributionPolicies/longest-idle")).body).toMatchObject({
      name: "Longest idle",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle" },
    });
    expect((await h.request("GET", "/routing/queues/main")).body).toMatchObject({
      distributionPolicyId: "longest-idle",
      labels: { department: "general" },
    });
    expect(result.outputs.queueId?.value).toBe("main");
    // A program on disk loads the package from node_modules, so its providers are stored as a require of the
    // installed package rather than as serialized code.
    const dynamic = (await h.resources()).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/jobrouter:"));
    expect(dynamic).toHaveLength(2);
    for (const r of dynamic) {
      expect(String(r.inputs?.__provider)).toContain('require("pulumi-jobrouter/dist/provider/resources/');
    }
    expect(await h.stateText()).not.toContain(h.emulator.accessKey);
  });

  it("a second preview shows no change", async () => {
    const preview = await h.previewJson();
    expect(preview.steps.filter((s) => s.op !== "same")).toEqual([]);
  });

  it("destroy deletes the queue before the policy", async () => {
    const { requests } = await h.track(() => h.destroy());
    expect(adminCalls(requests, "DELETE")).toEqual(["queues/main 204", "distributionPolicies/longest-idle 204"]);
  });
});

describe("examples/skills-routing", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ name: "example-skills" });
    await h.stack(example("skills-routing"));
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it("up creates the best-worker policy, the queues and the classification policy as declared", async () => {
    const up = await h.up();
    expect(up.summary.resourceChanges).toEqual({ create: 7 });
    expect((await h.request("GET", "/routing/distributionPolicies/best-skill")).body).toMatchObject({
      mode: {
        kind: "bestWorker",
        scoringRule: { kind: "expression", expression: "Coalesce(worker.skillLevel, 0)" },
      },
    });
    const policy = (await h.request("GET", "/routing/classificationPolicies/skills")).body;
    expect(policy).toMatchObject({
      fallbackQueueId: "support",
      prioritizationRule: { kind: "expression", expression: 'If(job.tier = "premium", 10, 1)' },
    });
    const workerAttachments = (policy as { workerSelectorAttachments: { kind: string }[] }).workerSelectorAttachments;
    expect(workerAttachments.map((a) => a.kind).sort()).toEqual(["conditional", "passThrough"]);
  });

  it("classifies a premium billing job in French as the example says", async () => {
    const job = {
      channelId: "voice",
      classificationPolicyId: "skills",
      labels: { tier: "premium", language: "fr", product: "billing" },
    };
    expect((await h.request("PATCH", "/routing/jobs/skills-job", job)).status).toBe(201);
    // Classification is asynchronous in the service; read back a bounded number of times.
    let body: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) {
      body = (await h.request("GET", "/routing/jobs/skills-job")).body as Record<string, unknown>;
      if (body.status !== "pendingClassification") break;
    }
    expect(body).toMatchObject({ status: "queued", queueId: "premium", priority: 10 });
    const attached = (body.attachedWorkerSelectors as { key: string; labelOperator: string; value: unknown }[]).map(
      (s) => `${s.key} ${s.labelOperator} ${String(s.value)}`,
    );
    expect(attached.sort()).toEqual(["billingCertified equal true", "language equal fr"]);

    // An active job blocks deleting its queue: cancel and delete it so the stack can be destroyed.
    expect((await h.request("POST", "/routing/jobs/skills-job:cancel", {})).status).toBe(200);
    expect((await h.request("DELETE", "/routing/jobs/skills-job")).status).toBe(204);
  });

  it("destroy removes everything the service accepted", async () => {
    const { result, requests } = await h.track(() => h.destroy());
    expect(result.summary.resourceChanges).toEqual({ delete: 7 });
    const deletes = adminCalls(requests, "DELETE");
    expect(deletes).toHaveLength(5);
    expect(deletes.every((d) => d.endsWith(" 204"))).toBe(true);
    expect(deletes.indexOf("classificationPolicies/skills 204")).toBeLessThan(deletes.indexOf("queues/support 204"));
    expect(deletes.indexOf("queues/premium 204")).toBeLessThan(deletes.indexOf("exceptionPolicies/give-up 204"));
    expect(deletes.indexOf("queues/premium 204")).toBeLessThan(deletes.indexOf("distributionPolicies/best-skill 204"));
  });
});

describe("examples/overflow", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ name: "example-overflow" });
    await h.stack(example("overflow"));
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it("up creates the exception policy with its three rules pointing at real objects", async () => {
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toEqual({ create: 9 });
    const writes = adminCalls(requests, "PATCH");
    const at = (p: string) => writes.indexOf(`${p} 201`);
    expect(at("queues/callbacks")).toBeLessThan(at("exceptionPolicies/sales-overflow"));
    expect(at("classificationPolicies/overflow-triage")).toBeLessThan(at("exceptionPolicies/sales-overflow"));
    expect(at("exceptionPolicies/sales-overflow")).toBeLessThan(at("queues/sales"));

    const policy = (await h.request("GET", "/routing/exceptionPolicies/sales-overflow")).body as {
      exceptionRules: { id: string; trigger: Record<string, unknown>; actions: Record<string, unknown>[] }[];
    };
    const rules = Object.fromEntries(policy.exceptionRules.map((r) => [r.id, r]));
    expect(rules["queue-too-long"]).toMatchObject({
      trigger: { kind: "queueLength", threshold: 10 },
      actions: [
        { kind: "reclassify", classificationPolicyId: "overflow-triage", labelsToUpsert: { overflowed: true } },
      ],
    });
    expect(rules["waited-3-minutes"]).toMatchObject({
      trigger: { kind: "waitTime", thresholdSeconds: 180 },
      actions: [{ kind: "manualReclassify", queueId: "callbacks", priority: 5 }],
    });
    expect(rules["waited-15-minutes"]).toMatchObject({
      trigger: { kind: "waitTime", thresholdSeconds: 900 },
      actions: [{ kind: "cancel", dispositionCode: "Abandoned" }],
    });
    expect((await h.request("GET", "/routing/queues/sales")).body).toMatchObject({
      exceptionPolicyId: "sales-overflow",
    });
  });

  it("passes the policy pack (no mandatory violation)", async () => {
    buildPolicyPack();
    expect(await previewWithPolicyPack(h)).toContain("jobrouter-guardrails");
  });

  it("a second preview shows no change (stable exception action ids)", async () => {
    const preview = await h.previewJson();
    expect(preview.steps.filter((s) => s.op !== "same")).toEqual([]);
  });

  it("destroy deletes the queue before its exception policy, and the policy before its targets", async () => {
    const { requests } = await h.track(() => h.destroy());
    const deletes = adminCalls(requests, "DELETE");
    expect(deletes).toHaveLength(7);
    expect(deletes.every((d) => d.endsWith(" 204"))).toBe(true);
    const at = (p: string) => deletes.indexOf(`${p} 204`);
    expect(at("queues/callbacks")).toBeLessThan(at("exceptionPolicies/last-resort"));
    expect(at("queues/sales")).toBeLessThan(at("exceptionPolicies/sales-overflow"));
    expect(at("exceptionPolicies/sales-overflow")).toBeLessThan(at("queues/callbacks"));
    expect(at("exceptionPolicies/sales-overflow")).toBeLessThan(at("classificationPolicies/overflow-triage"));
    expect(at("classificationPolicies/overflow-triage")).toBeLessThan(at("queues/overflow"));
  });
});

describe("the root program (Pulumi.yaml at the repository root)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ name: "root-program" });
    // The root project cannot be copied whole (it is the repository). A project with the same runtime settings runs
    // a copy of the compiled program (dist/program is not part of the package), so a concurrent `npm run build`
    // cannot swap the file away mid-test; its require("pulumi-jobrouter") resolves as the original's does.
    const dir = path.join(h.workDir, "root-project");
    await mkdir(dir, { recursive: true });
    // The program and the routing data it imports (./routing, which the simulator reads too).
    for (const file of ["index.js", "routing.js"]) {
      await copyFile(path.join(repoRoot, "dist", "program", file), path.join(dir, file));
    }
    await writeFile(
      path.join(dir, "Pulumi.yaml"),
      [
        "name: pulumi-jobrouter",
        "runtime:",
        "  name: nodejs",
        "  options:",
        "    typescript: false",
        "main: index.js",
        "",
      ].join("\n"),
    );
    await h.stack({ programDir: dir });
  });
  afterAll(async () => {
    await h?.dispose();
  });

  it("up creates the quickstart contact center and exports its ids", async () => {
    const up = await h.up();
    expect(up.summary.resourceChanges).toEqual({ create: 8 });
    expect(up.outputs.distributionPolicyId?.value).toBe("longest-idle");
    expect(up.outputs.queueId?.value).toBe("main");
    expect(up.outputs.classificationPolicyId?.value).toBe("triage");
    expect(up.outputs.exceptionPolicyId?.value).toBe("escalate-long-waits");
    expect(up.outputs.abandonPolicyId?.value).toBe("abandon-stale");
    // Loaded from node_modules (not through the package's self-reference to dist/), the providers are stored in
    // state as a require of the installed package rather than as serialized code.
    const dynamic = (await h.resources()).filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/jobrouter:"));
    expect(dynamic).toHaveLength(6);
    for (const r of dynamic) {
      expect(String(r.inputs?.__provider)).toContain('require("pulumi-jobrouter/dist/provider/resources/');
    }
    expect((await h.request("GET", "/routing/queues/main")).body).toMatchObject({
      distributionPolicyId: "longest-idle",
      exceptionPolicyId: "escalate-long-waits",
    });
    expect((await h.request("GET", "/routing/classificationPolicies/triage")).body).toMatchObject({
      fallbackQueueId: "main",
    });
  });

  it("passes the policy pack the GitOps workflow enforces (no mandatory violation)", async () => {
    buildPolicyPack();
    expect(await previewWithPolicyPack(h)).toContain("jobrouter-guardrails");
  });

  it("destroy leaves the emulator empty", async () => {
    const { requests } = await h.track(() => h.destroy());
    const deletes = adminCalls(requests, "DELETE");
    expect(deletes).toHaveLength(6);
    expect(deletes.every((d) => d.endsWith(" 204"))).toBe(true);
    for (const c of ["distributionPolicies", "queues", "classificationPolicies", "exceptionPolicies"]) {
      expect((await h.request("GET", `/routing/${c}`)).body).toMatchObject({ value: [] });
    }
  });
});
