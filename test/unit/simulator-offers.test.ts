// Offers, not (worker, job) pairs, are what a simulated worker answers: a late answer to an expired offer does
// nothing, even when the job has since been offered to the same worker again. Checked by outcome (nobody is answered
// when every offer expires before the answer) and by theory (the share of offers that expire is the probability that
// the answer takes longer than the expiry).

import { describe, expect, it } from "vitest";
import { simulateWithRuns, type JobRecord } from "../../simulator";

const voice = [{ channelId: "voice", capacityCostPerJob: 1 }];

function scenario(expiries: [number, number], acceptSeconds: unknown, patienceMean: number): unknown {
  const cfg = (expiry: number): unknown => ({
    distributionPolicies: [{ id: "li", offerExpiresAfterSeconds: expiry, mode: { kind: "longestIdle" } }],
    queues: [{ id: "q", distributionPolicyId: "li" }],
    classificationPolicies: [],
    exceptionPolicies: [],
  });
  return {
    before: cfg(expiries[0]),
    after: cfg(expiries[1]),
    traffic: {
      durationSeconds: 36_000,
      warmupSeconds: 1_800,
      seed: 5,
      workers: [{ count: 8, idPrefix: "agent", queues: ["q"], capacity: 1, channels: voice }],
      arrivals: [
        {
          channelId: "voice",
          queueId: "q",
          ratePerHour: 120,
          handleSeconds: { exponential: { mean: 180 } },
          patienceSeconds: { exponential: { mean: patienceMean } },
        },
      ],
      workerBehaviour: { acceptSeconds },
    },
  };
}

const answered = (jobs: readonly JobRecord[]): number => jobs.filter((j) => j.outcome === "answered").length;

/** P(X > x) for a lognormal with the given mean and standard deviation of X itself. */
function lognormalTail(mean: number, sd: number, x: number): number {
  const s2 = Math.log(1 + (sd / mean) ** 2);
  const mu = Math.log(mean) - s2 / 2;
  const z = (Math.log(x) - mu) / Math.sqrt(s2);
  return 1 - normalCdf(z);
}

function normalCdf(z: number): number {
  // Abramowitz and Stegun 7.1.26 on erf(z / √2); absolute error below 1.5e-7.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

describe("offer expiry in the simulator", () => {
  it("answers nobody when every offer expires (3 s) before the worker accepts (5 s)", async () => {
    const { before, after, report } = await simulateWithRuns(scenario([60, 3], { fixed: 5 }, 240));
    expect(before).toBeDefined();
    expect(answered(before?.jobs ?? [])).toBeGreaterThan(0.9 * (before?.jobs.length ?? 0));
    expect(after.jobs.length).toBeGreaterThan(1000);
    expect(answered(after.jobs)).toBe(0);
    // Every caller hung up in the end; the offers they got expired (the last one may be revoked by the hang-up).
    expect(after.jobs.every((j) => j.outcome === "abandoned")).toBe(true);
    expect(after.jobs.every((j) => j.offers - j.offersExpired <= 1)).toBe(true);
    expect(after.jobs.reduce((s, j) => s + j.offersExpired, 0)).toBeGreaterThan(10 * after.jobs.length);
    expect(report.after.queues.q?.serviceLevel).toBe(0);
    expect(report.after.queues.q?.asaSeconds).toBeNull();
    expect(report.before?.queues.q?.asaSeconds).toBeGreaterThanOrEqual(5);
  });

  it("with answers taking lognormal(10 s, sd 5 s), an 8 s expiry expires the share of offers theory predicts", async () => {
    const accept = { lognormal: { mean: 10, sd: 5 } };
    const { before, after } = await simulateWithRuns(scenario([60, 8], accept, 60));
    const b = before?.jobs ?? [];
    const expired = after.jobs.reduce((s, j) => s + j.offersExpired, 0);
    // Each offer ends accepted, expired or revoked (the caller hung up first); revoked offers are rare here.
    const decided = expired + answered(after.jobs);
    expect(decided).toBeGreaterThan(2000);
    expect(Math.abs(expired / decided - lognormalTail(10, 5, 8))).toBeLessThanOrEqual(0.03);
    // With 60 s nothing expires (the slowest answers are far below it)...
    expect(b.reduce((s, j) => s + j.offersExpired, 0)).toBeLessThanOrEqual(b.length * 0.001);
    // ...and the expiry costs answered callers: re-offers make them wait longer, more hang up.
    const shareBefore = answered(b) / b.length;
    const shareAfter = answered(after.jobs) / after.jobs.length;
    expect(shareBefore - shareAfter).toBeGreaterThan(0.05);
  });
});
