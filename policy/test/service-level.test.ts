// service-level-guardrail: the example's routing (examples/simulation) as a stack, its traffic as the traffic file.
// The happy path passes; changing one field (the partner site's allocation weight) drops that queue's simulated
// service level below the bound, and the message names the queue and both figures.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { serviceLevelGuardrail, TYPES, UNKNOWN_STRING } from "../policies";
import { setPath, validateStack, type TestResource } from "./fixtures";

const example = join(__dirname, "..", "..", "examples", "simulation");

interface RestConfig {
  distributionPolicies: Array<Record<string, unknown>>;
  queues: Array<Record<string, unknown>>;
  classificationPolicies: Array<Record<string, unknown>>;
  exceptionPolicies: Array<Record<string, unknown>>;
}

/** The example's "before" configuration as our four resource types, with their id inputs. */
function stack(): TestResource[] {
  const scenario = JSON.parse(readFileSync(join(example, "scenario.json"), "utf8")) as { before: RestConfig };
  const out: TestResource[] = [];
  const add = (type: string, idKey: string, list: Array<Record<string, unknown>>): void => {
    for (const o of list) {
      const { id, ...rest } = o;
      out.push({ type, name: String(id), props: { [idKey]: id, ...rest } });
    }
  };
  add(TYPES.distributionPolicy, "distributionPolicyId", scenario.before.distributionPolicies);
  add(TYPES.exceptionPolicy, "exceptionPolicyId", scenario.before.exceptionPolicies);
  add(TYPES.queue, "queueId", scenario.before.queues);
  add(TYPES.classificationPolicy, "classificationPolicyId", scenario.before.classificationPolicies);
  return out;
}

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
      /^queue "support-partner" must answer at least 60\.0% of its callers within 20 s, but the simulation of .*traffic\.json answers \d+\.\d%\.$/,
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
});
