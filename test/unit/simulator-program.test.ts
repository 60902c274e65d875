// A before/after simulation of the root program's routing (program/routing.ts, the objects `pulumi up` deploys): the
// change moves escalation from five minutes to one, which looks like a kindness in the diff and sends far more
// callers to the small escalations team.

import { describe, expect, it } from "vitest";
import { quickstartRouting } from "../../program/routing";
import { simulate } from "../../simulator";
import { configFromContactCenter } from "../../simulator/contactCenter";

const voice = [{ channelId: "voice", capacityCostPerJob: 1 }];

describe("root program, before and after", () => {
  it("maps the program's keys and references to the REST objects the component deploys", () => {
    const c = configFromContactCenter(quickstartRouting);
    expect(c.queues.map((q) => [q.id, q.distributionPolicyId, q.exceptionPolicyId])).toEqual([
      ["escalations", "longest-idle", "abandon-stale"],
      ["main", "longest-idle", "escalate-long-waits"],
    ]);
    expect(c.classificationPolicies[0]?.fallbackQueueId).toBe("main");
    const escalate = c.exceptionPolicies.find((p) => p.id === "escalate-long-waits");
    expect(escalate?.exceptionRules?.[0]?.actions[0]).toEqual({
      kind: "manualReclassify",
      queueId: "escalations",
      priority: 10,
    });
  });

  it("shows the escalation change's effect per queue and per caller", async () => {
    const before = configFromContactCenter(quickstartRouting);
    const changed = structuredClone(quickstartRouting) as typeof quickstartRouting;
    const rule = changed.exceptionPolicies["escalate-long-waits"].exceptionRules[0];
    if (!rule) throw new Error("the program's escalation rule is missing");
    (rule as { trigger: { kind: "waitTime"; thresholdSeconds: number } }).trigger = {
      kind: "waitTime",
      thresholdSeconds: 60,
    };
    const after = configFromContactCenter(changed);
    const report = await simulate({
      before,
      after,
      traffic: {
        durationSeconds: 8 * 3600,
        warmupSeconds: 1800,
        seed: 5,
        workers: [
          { count: 20, idPrefix: "agent", queues: ["main"], capacity: 1, channels: voice },
          { count: 3, idPrefix: "senior", queues: ["escalations"], capacity: 1, channels: voice },
        ],
        arrivals: [
          {
            channelId: "voice",
            classificationPolicyId: "triage",
            ratePerHour: 220,
            labelMix: [
              { weight: 0.95, labels: {} },
              { weight: 0.05, labels: { vip: true } },
            ],
            handleSeconds: { exponential: { mean: 300 } },
          },
        ],
      },
    });
    const b = report.before;
    expect(b).toBeDefined();
    if (!b) return;
    const a = report.after;
    expect(Object.keys(a.queues)).toEqual(["escalations", "main"]);
    expect(a.totals.arrived).toBe(b.totals.arrived);
    expect(a.queues.escalations?.arrived ?? 0).toBeGreaterThan(2 * (b.queues.escalations?.arrived ?? 0));
    // abandon-stale cancels escalated callers after 15 minutes: more of them end cancelled.
    expect(a.totals.cancelled).toBeGreaterThan(b.totals.cancelled);
    expect(a.differences?.queueChanged ?? 0).toBeGreaterThan(0);
    expect(a.differences?.examples.length).toBeGreaterThan(0);
    for (const e of a.differences?.examples ?? []) {
      expect(e.before.queueId !== e.after.queueId || e.before.outcome !== e.after.outcome).toBe(true);
    }
  });
});
