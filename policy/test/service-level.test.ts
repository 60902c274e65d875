// service-level-guardrail: the example's routing (examples/simulation) as a stack, its traffic as the traffic file.
// The happy path passes; changing one field (the partner site's allocation weight) drops that queue's simulated
// service level below the bound, and the message names the queue and both figures.

import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  projectDir,
  rememberStartDir,
  resolveTrafficFile,
  serviceLevelGuardrail,
  TYPES,
  UNKNOWN_STRING,
} from "../policies";
import { exampleStack, setPath, validateStack, type TestResource } from "./fixtures";

const stack = (): TestResource[] => exampleStack();

const example = join(__dirname, "..", "..", "examples", "simulation");

function edit(s: TestResource[], name: string, path: string, value: unknown): TestResource[] {
  const r = s.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  setPath(r.props, path, value);
  return s;
}

const config = {
  trafficFile: join(example, "traffic.json"),
  minServiceLevel: 0.6,
  maxAbandonRate: 0.1,
  // Escalated callers waited four minutes before they got there: no service level to hold that queue to.
  queueBounds: { escalations: { minServiceLevel: 0 } },
};
const PARTNER_WEIGHT = "queueSelectorAttachments.1.allocations.1.weight";

describe("service-level-guardrail", () => {
  it("passes the example's routing under its traffic", async () => {
    expect(await validateStack(serviceLevelGuardrail, stack(), config)).toEqual([]);
  });

  it("fails when one weight sends more callers to the smaller site, naming the queue and both figures", async () => {
    const found = await validateStack(
      serviceLevelGuardrail,
      edit(stack(), "support-split", PARTNER_WEIGHT, 0.5),
      config,
    );
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]?.message).toMatch(
      /^queue "support-partner" must answer at least 60\.0% of its callers within 20 s, but the simulation of .*traffic\.json answers \d+\.\d% \(\d+ callers: \d+ answered, \d+ abandoned, \d+ cancelled\)\.$/,
    );
    const simulated = Number(/answers (\d+\.\d)%/.exec(found[0]?.message ?? "")?.[1]);
    expect(simulated).toBeLessThan(60);
    expect(found.every((v) => v.message.includes('"support-partner"'))).toBe(true);
  });

  it("fails on abandonment above its bound", async () => {
    const found = await validateStack(serviceLevelGuardrail, stack(), { ...config, maxAbandonRate: 0.05 });
    const abandon = found.filter((v) => v.message.includes("to abandonment"));
    expect(abandon.length).toBeGreaterThan(0);
    for (const v of abandon) {
      expect(v.message).toMatch(
        /^queue "[\w-]+" must lose at most 5\.0% of its callers to abandonment, but the simulation of .* loses (\d+\.\d)%\.$/,
      );
      expect(Number(/loses (\d+\.\d)%/.exec(v.message)?.[1])).toBeGreaterThan(5);
    }
  });

  it("waits for `pulumi up` when a routing value is only known after deployment", async () => {
    const found = await validateStack(
      serviceLevelGuardrail,
      edit(stack(), "support-split", PARTNER_WEIGHT, UNKNOWN_STRING),
      {
        ...config,
        minServiceLevel: 1,
      },
    );
    expect(found).toEqual([]);
  });

  it("names trafficFile when the traffic cannot be read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slg-"));
    const broken = join(dir, "traffic.json");
    writeFileSync(broken, "{ not json");
    const found = await validateStack(serviceLevelGuardrail, stack(), { ...config, trafficFile: broken });
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toMatch(/^trafficFile ".*traffic\.json" must be a readable JSON traffic file \(/);
  });

  it("fails the change that cancels support callers after 15 s: cancelled callers count", async () => {
    const before = await validateStack(serviceLevelGuardrail, exampleStack("cancel-after-15s.json", "before"), config);
    expect(before).toEqual([]);
    const found = await validateStack(serviceLevelGuardrail, exampleStack("cancel-after-15s.json", "after"), config);
    const cancels = found.filter((v) => v.message.includes("must cancel at most"));
    expect(cancels.map((v) => /^queue "([\w-]+)"/.exec(v.message)?.[1]).sort()).toEqual([
      "support-inhouse",
      "support-partner",
    ]);
    for (const v of cancels) {
      expect(v.message).toMatch(
        /^queue "[\w-]+" must cancel at most 2\.0% of its callers, but the simulation of .*traffic\.json cancels (\d+\.\d)% \((\d+) of (\d+): cancelled by an exception rule, a failed classification, or never served\)\.$/,
      );
      expect(Number(/cancels (\d+\.\d)%/.exec(v.message)?.[1])).toBeGreaterThan(2);
    }
  });

  it("holds a queue nobody serves, whose callers are all cancelled after 60 s, to 0% service level, not 100%", async () => {
    const s = stack();
    s.push(
      {
        type: TYPES.exceptionPolicy,
        name: "give-up",
        props: {
          exceptionPolicyId: "give-up",
          exceptionRules: [
            { id: "after-60s", trigger: { kind: "waitTime", thresholdSeconds: 60 }, actions: [{ kind: "cancel" }] },
          ],
        },
      },
      {
        type: TYPES.queue,
        name: "callbacks",
        props: { queueId: "callbacks", distributionPolicyId: "longest-idle", exceptionPolicyId: "give-up" },
      },
    );
    const traffic = JSON.parse(readFileSync(join(example, "traffic.json"), "utf8")) as { arrivals: unknown[] };
    traffic.arrivals.push({ channelId: "voice", queueId: "callbacks", ratePerHour: 20, handleSeconds: { fixed: 60 } });
    const dir = mkdtempSync(join(tmpdir(), "slg-"));
    const file = join(dir, "traffic.json");
    writeFileSync(file, JSON.stringify(traffic));
    const found = await validateStack(serviceLevelGuardrail, s, { ...config, trafficFile: file });
    const callbacks = found.filter((v) => v.message.startsWith('queue "callbacks"')).map((v) => v.message);
    expect(callbacks).toHaveLength(2);
    expect(callbacks[0]).toMatch(
      /^queue "callbacks" must answer at least 60\.0% of its callers within 20 s, but the simulation of .* answers 0\.0% \((\d+) callers: 0 answered, 0 abandoned, \1 cancelled\)\.$/,
    );
    expect(callbacks[1]).toMatch(
      /^queue "callbacks" must cancel at most 2\.0% of its callers, but .* cancels 100\.0% /,
    );
  });

  it("reports a traffic file naming a renamed queue as a violation naming the queue and the fix, not a crash", async () => {
    const s = edit(stack(), "support-partner", "queueId", "support-site-b");
    const found = await validateStack(serviceLevelGuardrail, s, config);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]?.message).toMatch(
      /^the traffic in .*traffic\.json does not fit the stack's routing: traffic\.workers\[2\]\.queues\[0\]: names queue "support-partner", which is not in the configuration \(its queues: "escalations", "sales", "support-inhouse", "support-site-b"\)\. Fix: update .*traffic\.json to the stack/,
    );
  });

  it("refuses a misspelt config field, naming it and the field it probably means", async () => {
    const { minServiceLevel, ...rest } = config;
    const found = await validateStack(serviceLevelGuardrail, stack(), { ...rest, minServicelevel: minServiceLevel });
    expect(found.map((v) => v.message)).toEqual([
      'config field "minServicelevel" is not a field of service-level-guardrail\'s config (its fields: trafficFile, minServiceLevel, maxAbandonRate, maxCancelRate, queueBounds). Fix: rename it to "minServiceLevel" in the policy config.',
    ]);
    const inBounds = await validateStack(serviceLevelGuardrail, stack(), {
      ...config,
      queueBounds: { escalations: { minServicelevel: 0 } },
    });
    expect(inBounds.map((v) => v.message)).toEqual([
      'config field queueBounds.escalations."minServicelevel" is not a field of service-level-guardrail\'s config (its fields: minServiceLevel, maxAbandonRate, maxCancelRate). Fix: rename it to "minServiceLevel" in the policy config.',
    ]);
  });

  it("refuses queueBounds for a queue the stack does not have, naming the key and the queues there are", async () => {
    const found = await validateStack(serviceLevelGuardrail, stack(), {
      ...config,
      queueBounds: { escalation: { minServiceLevel: 0 } },
    });
    expect(found[0]?.message).toBe(
      'config field queueBounds.escalation names queue "escalation", which is not in the stack (its queues: "escalations", "sales", "support-inhouse", "support-partner"). Fix: rename the key to "escalations" in the policy config.',
    );
  });

  it("finds a relative trafficFile in the Pulumi project: where the pack started, above the installed pack, or $PWD", () => {
    const root = mkdtempSync(join(tmpdir(), "slg-project-"));
    const project = join(root, "project");
    const installed = join(project, "node_modules", "pulumi-jobrouter-policy", "dist", "policies");
    const elsewhere = join(root, "guardrails", "dist", "policies");
    mkdirSync(installed, { recursive: true });
    mkdirSync(elsewhere, { recursive: true });
    writeFileSync(join(project, "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
    try {
      // Started in the project (a language host runs the pack there).
      rememberStartDir(project);
      expect(resolveTrafficFile("simulation/traffic.json", elsewhere)).toBe(
        join(project, "simulation", "traffic.json"),
      );
      // Started in the pack's folder (pulumi-analyzer-policy): the project above the installed pack.
      rememberStartDir(join(project, "node_modules", "pulumi-jobrouter-policy"));
      expect(resolveTrafficFile("simulation/traffic.json", installed)).toBe(
        join(project, "simulation", "traffic.json"),
      );
      // A stand-alone pack folder: the shell's working directory when it is the project.
      rememberStartDir(join(root, "guardrails"));
      expect(projectDir(elsewhere, { PWD: project })).toBe(project);
      expect(projectDir(elsewhere, {})).toBe(join(root, "guardrails"));
      // An absolute path is used as it is.
      expect(resolveTrafficFile("/srv/traffic.json", installed)).toBe("/srv/traffic.json");
    } finally {
      rememberStartDir(process.cwd());
    }
  });
});
