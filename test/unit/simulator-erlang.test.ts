// Correct by theory: one queue, longestIdle, Poisson arrivals, exponential handle times, no abandonment is an M/M/c
// queue, whose waiting-time distribution Erlang C gives in closed form. The simulated service level must be within 3
// points and the ASA within 15% of it at several loads. Erlang C is computed here, independently of the simulator.

import { describe, expect, it } from "vitest";
import { simulate } from "../../simulator";

/** Probability that a caller waits (Erlang C), for c servers and offered load a = λ/μ (Erlangs). */
function erlangC(c: number, a: number): number {
  // Erlang B by its stable recurrence, then C = B / (1 - ρ(1 - B)).
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  const rho = a / c;
  return b / (1 - rho * (1 - b));
}

function theory(c: number, lambdaPerS: number, meanHandleS: number, slS: number): { sl: number; asa: number } {
  const mu = 1 / meanHandleS;
  const a = lambdaPerS / mu;
  const pw = erlangC(c, a);
  const drain = c * mu - lambdaPerS;
  return { sl: 1 - pw * Math.exp(-drain * slS), asa: pw / drain };
}

function mmcScenario(c: number, ratePerHour: number, meanHandleS: number, durationS: number, seed: number): unknown {
  return {
    config: {
      distributionPolicies: [{ id: "li", offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } }],
      queues: [{ id: "q", distributionPolicyId: "li" }],
      classificationPolicies: [],
      exceptionPolicies: [],
    },
    traffic: {
      durationSeconds: durationS,
      warmupSeconds: 20_000,
      seed,
      serviceLevelSeconds: 20,
      workers: [
        {
          count: c,
          idPrefix: "agent",
          queues: ["q"],
          capacity: 1,
          channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
        },
      ],
      arrivals: [
        { channelId: "voice", queueId: "q", ratePerHour, handleSeconds: { exponential: { mean: meanHandleS } } },
      ],
    },
  };
}

describe("simulator against Erlang C (M/M/c, longestIdle)", () => {
  const c = 10;
  const meanHandleS = 180;
  for (const load of [0.7, 0.8, 0.9]) {
    it(`load ${load}: service level within 3 points and ASA within 15%`, async () => {
      const lambda = (load * c) / meanHandleS;
      const expected = theory(c, lambda, meanHandleS, 20);
      const report = await simulate(mmcScenario(c, lambda * 3600, meanHandleS, 1_500_000, 7));
      const q = report.after.queues.q;
      expect(q).toBeDefined();
      if (!q) return;
      expect(q.arrived).toBeGreaterThan(10_000);
      expect(q.abandoned).toBe(0);
      expect(q.cancelled).toBe(0);
      expect(Math.abs((q.serviceLevel ?? NaN) - expected.sl)).toBeLessThanOrEqual(0.03);
      expect(Math.abs((q.asaSeconds ?? NaN) - expected.asa) / expected.asa).toBeLessThanOrEqual(0.15);
      // P(wait > 0) is Erlang C itself.
      expect(Math.abs((q.waitProbability ?? NaN) - erlangC(c, lambda * meanHandleS))).toBeLessThanOrEqual(0.03);
    });
  }

  it("the Erlang C helper itself matches a textbook value (c=2, a=1: P(wait)=1/3)", () => {
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 10);
  });
});
