import { describe, expect, it } from "vitest";
import type { ExceptionPolicy } from "../../provider/client/models";
import { effectiveActions, queueLengthRulesFired, upsertLabels, waitTimeSchedule } from "../../routing/exceptions";

const policy: ExceptionPolicy = {
  id: "ep",
  etag: '"e"',
  exceptionRules: [
    { id: "tooLong", trigger: { kind: "queueLength", threshold: 2 }, actions: [{ kind: "cancel", id: "a1" }] },
    {
      id: "waited",
      trigger: { kind: "waitTime", thresholdSeconds: 30 },
      actions: [{ kind: "manualReclassify", id: "a2", queueId: "q2" }],
    },
    {
      id: "waitedLonger",
      trigger: { kind: "waitTime", thresholdSeconds: 10 },
      actions: [{ kind: "reclassify", id: "a3", classificationPolicyId: "cp2" }],
    },
  ],
};

describe("exception triggers", () => {
  it("queueLength fires only when the queue, counting the new job, exceeds the threshold", () => {
    expect(queueLengthRulesFired(policy, 2)).toEqual([]);
    expect(queueLengthRulesFired(policy, 3).map((r) => r.id)).toEqual(["tooLong"]);
  });

  it("waitTime schedules from enqueuedAt, earliest first", () => {
    const t = Date.parse("2024-01-01T00:00:00Z");
    expect(waitTimeSchedule(policy, t).map((s) => [s.rule.id, s.atMs - t])).toEqual([
      ["waitedLonger", 10_000],
      ["waited", 30_000],
    ]);
    expect(waitTimeSchedule(undefined, t)).toEqual([]);
  });
});

describe("exception actions", () => {
  it("a cancel ends the action list", () => {
    const acts = effectiveActions([
      { kind: "reclassify", id: "1" },
      { kind: "cancel", id: "2" },
      { kind: "manualReclassify", id: "3" },
    ]);
    expect(acts.map((a) => a.id)).toEqual(["1", "2"]);
  });

  it("reclassify's labelsToUpsert merges, null removes", () => {
    expect(upsertLabels({ a: 1, b: 2 }, { b: 3, c: "x", a: null })).toEqual({ b: 3, c: "x" });
  });
});
