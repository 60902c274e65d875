// The report's figures: every caller counted, n/a where no caller is behind a figure, several service-level
// thresholds, and the per-class and per-stream breakdowns, checked against the job records they come from.

import { describe, expect, it } from "vitest";
import { renderMarkdown, renderSvg, simulateWithRuns, type JobRecord } from "../../simulator";

const voice = [{ channelId: "voice", capacityCostPerJob: 1 }];

function scenario(traffic: Record<string, unknown>): unknown {
  return {
    config: {
      distributionPolicies: [{ id: "li", offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } }],
      queues: [
        { id: "q", distributionPolicyId: "li" },
        { id: "idle", distributionPolicyId: "li" },
        { id: "unserved", distributionPolicyId: "li", exceptionPolicyId: "cancel-60" },
      ],
      classificationPolicies: [],
      exceptionPolicies: [
        {
          id: "cancel-60",
          exceptionRules: [
            { id: "after-60s", trigger: { kind: "waitTime", thresholdSeconds: 60 }, actions: [{ kind: "cancel" }] },
          ],
        },
      ],
    },
    traffic: {
      durationSeconds: 14_400,
      seed: 9,
      serviceLevelSeconds: [20, 60],
      workers: [{ count: 3, idPrefix: "agent", queues: ["q"], capacity: 1, channels: voice }],
      arrivals: [
        {
          name: "regular",
          channelId: "voice",
          queueId: "q",
          ratePerHour: 50,
          priority: 1,
          handleSeconds: { exponential: { mean: 180 } },
          patienceSeconds: { exponential: { mean: 120 } },
        },
        {
          name: "gold",
          channelId: "voice",
          queueId: "q",
          ratePerHour: 10,
          priority: 5,
          handleSeconds: { exponential: { mean: 180 } },
          patienceSeconds: { exponential: { mean: 120 } },
        },
        { channelId: "voice", queueId: "unserved", ratePerHour: 20, handleSeconds: { fixed: 60 } },
      ],
      ...traffic,
    },
  };
}

const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const r4 = (x: number): number => Math.round(x * 10000) / 10000;

describe("the report", () => {
  it("counts every caller who left, per threshold, and gives the waiting figures from the job records", async () => {
    const { after, report } = await simulateWithRuns(scenario({}));
    const jobs = after.jobs.filter((j) => j.queueId === "q");
    const q = report.after.queues.q;
    expect(q).toBeDefined();
    if (!q) return;
    const answered = jobs.filter((j) => j.outcome === "answered");
    const abandoned = jobs.filter((j) => j.outcome === "abandoned");
    const left = jobs.length;
    expect(q.answered + q.abandoned + q.cancelled).toBe(left);
    const within = (t: number): number => answered.filter((j) => (j.waitS ?? 0) <= t).length;
    expect(report.after.serviceLevelThresholds).toEqual([20, 60]);
    expect(q.serviceLevels).toEqual({ "20": r4(within(20) / left), "60": r4(within(60) / left) });
    expect(q.serviceLevel).toBe(q.serviceLevels["20"]);
    expect(q.serviceLevels["60"]).toBeGreaterThan(q.serviceLevels["20"] ?? 1);
    const wait = (j: JobRecord): number => j.waitS ?? 0;
    expect(q.asaSeconds).toBe(r2(mean(answered.map(wait))));
    expect(q.meanWaitSeconds).toBe(r2(mean(jobs.map(wait))));
    expect(q.meanAbandonSeconds).toBe(r2(mean(abandoned.map(wait))));
    expect(q.waitProbability).toBe(r4((left - answered.filter((j) => wait(j) <= 1e-6).length) / left));
    expect(q.abandonRate).toBe(r4(abandoned.length / left));
  });

  it("a queue nobody serves, every caller cancelled after 60 s: 0% service level, no ASA; a queue nobody called: n/a", async () => {
    const { report } = await simulateWithRuns(scenario({}));
    const u = report.after.queues.unserved;
    expect(u?.arrived).toBeGreaterThan(30);
    expect(u?.cancelled).toBe(u?.arrived);
    expect(u?.serviceLevel).toBe(0);
    expect(u?.cancelRate).toBe(1);
    expect(u?.asaSeconds).toBeNull();
    // They all waited the 60 s until the exception rule cancelled them.
    expect(u?.meanWaitSeconds).toBe(60);
    expect(u?.waitP90Seconds).toBeNull();
    const idle = report.after.queues.idle;
    expect(idle?.arrived).toBe(0);
    expect([idle?.serviceLevel, idle?.asaSeconds, idle?.abandonRate, idle?.cancelRate]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    const md = renderMarkdown(report);
    expect(md).toContain(
      "| Queue | Arrived | Service level (20 s) | Service level (60 s) | ASA | Wait p90 | Abandoned | Cancelled |",
    );
    expect(md).toMatch(/\| `idle` \| 0 \| n\/a \| n\/a \| n\/a \| n\/a \| n\/a \| n\/a \|/);
    expect(md).toMatch(
      new RegExp(
        `\\| \`unserved\` \\| ${u?.arrived} \\| 0\\.0% \\| 0\\.0% \\| n/a \\| n/a \\| 0\\.0% \\(0\\) \\| 100\\.0% \\(${u?.arrived}\\) \\|`,
      ),
    );
    const svg = renderSvg(report);
    expect(svg).toContain(`>${u?.arrived}</text>`);
    expect(svg).toContain(">n/a</text>");
  });

  it("breaks a queue with several priority classes and streams down by class and by stream", async () => {
    const { after, report } = await simulateWithRuns(scenario({}));
    const q = report.after.queues.q;
    // (Integer-like keys: JSON objects list them in ascending order; the markdown lists the highest priority first.)
    expect(Object.keys(q?.byPriority ?? {})).toEqual(["1", "5"]);
    expect(Object.keys(q?.byStream ?? {})).toEqual(["regular", "gold"]); // in the order of the streams
    const gold = after.jobs.filter((j) => j.queueId === "q" && j.stream === 1);
    expect(q?.byStream?.gold?.arrived).toBe(gold.length);
    expect(q?.byPriority?.["5"]?.arrived).toBe(gold.length);
    expect((q?.byStream?.gold?.arrived ?? 0) + (q?.byStream?.regular?.arrived ?? 0)).toBe(q?.arrived);
    // Priority 5 is served first: it waits less.
    expect(q?.byPriority?.["5"]?.asaSeconds ?? Infinity).toBeLessThan(q?.byPriority?.["1"]?.asaSeconds ?? 0);
    // A queue with one class and one stream has no breakdown.
    expect(report.after.queues.unserved?.byPriority).toBeUndefined();
    expect(report.after.queues.unserved?.byStream).toBeUndefined();
    const md = renderMarkdown(report);
    expect(md).toContain("| `q` · priority 5 |");
    expect(md).toContain("| `q` · stream gold |");
  });
});
