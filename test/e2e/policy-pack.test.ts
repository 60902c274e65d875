// The jobrouter-guardrails policy pack under the real engine: `pulumi preview --policy-pack policy/`
// (through the Automation API, which runs the CLI) over programs on disk that use the real dynamic
// resources, against a fresh emulator.

import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import * as path from "node:path";
import type { EngineEvent, PolicyEvent } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, repoRoot, type Harness } from "./harness";

const packDir = path.join(repoRoot, "policy");
const programs = path.join("policy", "test", "programs");

const PACK = "jobrouter-guardrails";

interface Outcome {
  ok: boolean;
  /** Policy violations as the engine reported them. */
  violations: PolicyEvent[];
  /** The CLI's text output (stdout and stderr), which is what a pull-request comment shows. */
  output: string;
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const extra = ["stdout", "stderr"].map((k) => (k in e ? String(Reflect.get(e, k)) : "")).join("\n");
    return `${e.message}\n${extra}`;
  }
  return String(e);
}

async function previewWithPack(h: Harness, policyPackConfigs: string[] = []): Promise<Outcome> {
  const violations: PolicyEvent[] = [];
  const onEvent = (ev: EngineEvent): void => {
    if (ev.policyEvent && ev.policyEvent.policyPackName === PACK) violations.push(ev.policyEvent);
  };
  try {
    const res = await h.preview({ policyPacks: [packDir], policyPackConfigs, onEvent });
    return { ok: true, violations, output: `${res.stdout}\n${res.stderr}` };
  } catch (e) {
    return { ok: false, violations, output: errorText(e) };
  }
}

/**
 * [policy, level, resource name], sorted. The engine sends "advisory" for advisory violations (the
 * Automation API's type says "warning"), so the level is compared as text.
 */
function summary(vs: PolicyEvent[]): Array<[string, string, string]> {
  return vs
    .map((v): [string, string, string] => [
      v.policyName,
      v.enforcementLevel,
      (v.resourceUrn ?? "").split("::").pop() ?? "",
    ])
    .sort((a, b) => a.join().localeCompare(b.join()));
}

beforeAll(() => {
  const build = spawnSync(process.execPath, [path.join(packDir, "scripts", "build.js")], { encoding: "utf8" });
  expect(build.status, build.stdout + build.stderr).toBe(0);
});

describe("a compliant program", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ name: "policy-compliant" });
    await h.stack(
      { programDir: path.join(programs, "compliant") },
      { config: { "policy-compliant:priorityClientSecret": { value: "client-secret-for-preview", secret: true } } },
    );
  });
  afterAll(async () => h?.dispose());

  it("previews with the pack and no violation", async () => {
    const out = await previewWithPack(h);
    expect(out.violations).toEqual([]);
    expect(out.ok, out.output).toBe(true);
    // The pack did run: the CLI lists it under Policies.
    expect(out.output).toContain(`${PACK}@v0.1.0`);
  });

  it("deploys with the pack: resource checks before each create, stack checks over the real outputs afterwards", async () => {
    const violations: PolicyEvent[] = [];
    const res = await h.up({
      policyPacks: [packDir],
      onEvent: (ev) => {
        if (ev.policyEvent?.policyPackName === PACK) violations.push(ev.policyEvent);
      },
    });
    expect(res.summary.result).toBe("succeeded");
    expect(violations).toEqual([]);
    expect(res.summary.resourceChanges?.create).toBe(7); // the stack and six Job Router objects
  });
});

describe("a violating program", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness({ name: "policy-violating" });
    await h.stack({ programDir: path.join(programs, "violating") });
  });
  afterAll(async () => h?.dispose());

  it("fails the preview on mandatory violations, names the resources, and only warns for advisory ones", async () => {
    const out = await previewWithPack(h);
    expect(out.ok).toBe(false);
    expect(summary(out.violations)).toEqual([
      ["id-naming-pattern", "advisory", "Sales_Queue"],
      ["offer-expiry-bounds", "mandatory", "dp-ring-long"],
      ["queue-has-exception-policy", "mandatory", "q-no-escape"],
      ["references-resolve", "mandatory", "cp-dangling"],
      ["rule-credentials-secret", "mandatory", "dp-raw-plain"],
    ]);
    const byPolicy = new Map(out.violations.map((v) => [v.policyName, v.message]));
    expect(byPolicy.get("offer-expiry-bounds")).toMatch(
      /offerExpiresAfterSeconds: is 3600 s but must lie in \[10, 120\] seconds\. Fix:/,
    );
    expect(byPolicy.get("references-resolve")).toMatch(
      /fallbackQueueId: "q-missing" must be the id of a queue in this stack/,
    );
    // The engine's secret marker is what tells the pack dp-raw-secret apart; the plaintext is never echoed.
    expect(byPolicy.get("rule-credentials-secret")).toMatch(
      /mode\.scoringRule\.clientCredential\.clientSecret: is a credential but is not a Pulumi secret/,
    );
    expect(out.output).not.toContain("plain-client-secret");
    // The CLI output a reviewer reads names each resource next to its violation.
    for (const name of ["dp-ring-long", "q-no-escape", "cp-dangling", "Sales_Queue"])
      expect(out.output).toContain(name);
  });

  it("passes with a policy config file that changes a bound and relaxes the rest to advisory", async () => {
    const file = path.join(h.workDir, "policy-config.json");
    await writeFile(
      file,
      JSON.stringify({
        "offer-expiry-bounds": { maxSeconds: 3600 },
        "queue-has-exception-policy": "advisory",
        "references-resolve": { externalIds: { queues: ["q-missing"] } },
        "rule-credentials-secret": { enforcementLevel: "advisory" },
      }),
    );
    const out = await previewWithPack(h, [file]);
    expect(out.ok, out.output).toBe(true);
    expect(summary(out.violations)).toEqual([
      ["id-naming-pattern", "advisory", "Sales_Queue"],
      ["queue-has-exception-policy", "advisory", "q-no-escape"],
      ["rule-credentials-secret", "advisory", "dp-raw-plain"],
    ]);
  });
});
