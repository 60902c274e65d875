// Differential test of offer expiry: the simulator's traffic driver against the emulator over real HTTP.
//
// The simulator runs a scenario where half the answers come after the offer expired. The same callers (arrival,
// handle time, patience: taken from the simulator's job records) and the same worker behaviour (each offer's answer
// delay drawn from the very random sequence the simulator's driver draws from: the caller's own, one draw per offer
// in order) are then driven through the emulator on a manual clock: jobs created, offers accepted (late ones too: the
// emulator must refuse them), jobs completed, closed and abandoned over HTTP. Per job, the outcome, the number of
// offers and of expired offers, and the wait must be the same.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ManualClock, type TimerCallback, type TimerHandle } from "../../routing/clock";
import { JobRouterClient, JobRouterError } from "../../provider/client";
import { runSimulation, sampleDuration, Rng, type JobRecord, type Traffic } from "../../simulator";
import type { RoutingConfig } from "../../routing";

/**
 * A manual clock that lets the emulator finish the routing work a timer caused (an expired offer's re-offer) before
 * the next timer fires, as real time would: otherwise the re-offer would wait for the next timer's time.
 */
class SettlingClock extends ManualClock {
  settle: () => Promise<void> = () => Promise.resolve();
  override setTimer(atMs: number, fn: TimerCallback): TimerHandle {
    return super.setTimer(atMs, async () => {
      await fn();
      await this.settle();
    });
  }
}

interface Harness {
  emulator: RunningEmulator;
  client: JobRouterClient;
  clock: SettlingClock;
}

const EXPIRY_S = 6;
const ACCEPT = { lognormal: { mean: 7, sd: 4 } };

const config: RoutingConfig = {
  distributionPolicies: [
    {
      id: "q-dp",
      offerExpiresAfterSeconds: EXPIRY_S,
      mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
    },
  ],
  queues: [{ id: "q", distributionPolicyId: "q-dp" }],
  classificationPolicies: [],
  exceptionPolicies: [],
};

const traffic: Traffic = {
  durationSeconds: 1800,
  seed: 17,
  workers: [
    {
      count: 2,
      idPrefix: "agent",
      queues: ["q"],
      capacity: 1,
      channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
    },
  ],
  arrivals: [
    {
      channelId: "voice",
      queueId: "q",
      ratePerHour: 90,
      handleSeconds: { exponential: { mean: 60 } },
      patienceSeconds: { exponential: { mean: 90 } },
    },
  ],
  workerBehaviour: { acceptSeconds: ACCEPT },
};

interface Outcome {
  outcome: string;
  offers: number;
  offersExpired: number;
  /** Seconds from arrival to assignment or hang-up, to the millisecond. */
  waitS: number;
}

const ms = (s: number): number => Math.round(s * 1000) / 1000;

function fromSimulator(j: JobRecord): Outcome {
  return { outcome: j.outcome ?? "?", offers: j.offers, offersExpired: j.offersExpired, waitS: ms(j.waitS ?? NaN) };
}

let h: Harness;
beforeEach(async () => {
  // Start at real time: the HMAC check compares x-ms-date with the emulator's (real) clock.
  const clock = new SettlingClock(Math.floor(Date.now() / 1000) * 1000);
  const emulator = await startEmulator({ runtime: { random: () => 0, clock } });
  clock.settle = () => emulator.runtime.idle();
  const client = JobRouterClient.fromConnectionString(emulator.connectionString, { retryOptions: { maxRetries: 0 } });
  h = { emulator, client, clock };
});
afterEach(async () => h?.emulator.close());

/** Drive the simulator's callers through the emulator; returns each job's outcome and the late accepts it refused. */
async function throughEmulator(jobs: readonly JobRecord[]): Promise<{ out: Map<string, Outcome>; refused: number }> {
  await h.client.upsertDistributionPolicy("q-dp", {
    offerExpiresAfterSeconds: EXPIRY_S,
    mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
  });
  await h.client.upsertQueue("q", { distributionPolicyId: "q-dp" });
  for (const w of ["agent-1", "agent-2"]) {
    await h.client.upsertWorker(w, {
      queues: ["q"],
      capacity: 1,
      channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
      availableForOffers: true,
    });
  }
  const runtime = h.emulator.runtime;
  await runtime.idle();
  // Each caller's answer delays: the sequence the simulator's driver draws from (the n-th offer, the n-th draw).
  const rngs = new Map(jobs.map((j) => [j.id, new Rng(traffic.seed, `answers:${j.id}`)]));
  const clock = h.clock;
  const t0 = clock.now();
  const out = new Map<string, Outcome>();
  const arrivedAt = new Map<string, number>();
  const assigned = new Set<string>();
  let refused = 0;
  const record = (jobId: string): Outcome => {
    let o = out.get(jobId);
    if (!o) out.set(jobId, (o = { outcome: "?", offers: 0, offersExpired: 0, waitS: NaN }));
    return o;
  };
  const waited = (jobId: string): number => ms((clock.now() - (arrivedAt.get(jobId) ?? NaN)) / 1000);
  // Offers are heard the moment the emulator issues them; the answer is scheduled on the same clock.
  const off = runtime.events.subscribe((e) => {
    const name = e.eventType.slice("Microsoft.Communication.".length);
    const jobId = String(e.data.jobId);
    if (name === "RouterWorkerOfferExpired") record(jobId).offersExpired++;
    if (name !== "RouterWorkerOfferIssued") return;
    const workerId = String(e.data.workerId);
    const offerId = String(e.data.offerId);
    record(jobId).offers++;
    const delayS = sampleDuration(ACCEPT, rngs.get(jobId) as Rng);
    clock.setTimer(clock.now() + delayS * 1000, async () => {
      try {
        const a = await h.client.acceptJobOffer(workerId, offerId);
        assigned.add(jobId);
        const o = record(jobId);
        o.outcome = "answered";
        o.waitS = waited(jobId);
        const handle = jobs.find((j) => j.id === jobId)?.handleS ?? 0;
        clock.setTimer(clock.now() + handle * 1000, async () => {
          await h.client.completeJob(jobId, a.assignmentId);
          await h.client.closeJob(jobId, a.assignmentId);
          await runtime.idle();
        });
      } catch (err) {
        // The offer expired before this answer: the emulator refuses it and nothing happens to the job.
        if (!(err instanceof JobRouterError)) throw err;
        refused++;
      }
      await runtime.idle();
    });
  });
  for (const j of jobs) {
    clock.setTimer(t0 + j.arrivedAtS * 1000, async () => {
      arrivedAt.set(j.id, clock.now());
      record(j.id);
      await h.client.upsertJob(j.id, { channelId: "voice", queueId: "q" });
      await runtime.idle();
    });
    clock.setTimer(t0 + (j.arrivedAtS + j.patienceS) * 1000, async () => {
      if (assigned.has(j.id)) return;
      const o = record(j.id);
      o.outcome = "abandoned";
      o.waitS = waited(j.id);
      await h.client.cancelJob(j.id);
      await runtime.idle();
    });
  }
  await clock.advance((traffic.durationSeconds + 3600) * 1000);
  off();
  return { out, refused };
}

describe("offer expiry: simulator and emulator agree per job", () => {
  it("same callers, same answer delays (late ones included): same outcomes, offers, expiries and waits", async () => {
    const sim = await runSimulation(config, traffic);
    expect(sim.jobs.length).toBeGreaterThan(30);
    const expiredInSim = sim.jobs.reduce((s, j) => s + j.offersExpired, 0);
    // The scenario exercises expiry: many offers expire, some callers are answered after a re-offer.
    expect(expiredInSim).toBeGreaterThan(20);
    expect(sim.jobs.some((j) => j.outcome === "answered" && j.offersExpired > 0)).toBe(true);
    const { out, refused } = await throughEmulator(sim.jobs);
    const counts = (o: Outcome | undefined): unknown => o && { ...o, waitS: undefined };
    const simulated = Object.fromEntries(sim.jobs.map((j) => [j.id, counts(fromSimulator(j))]));
    const emulated = Object.fromEntries(sim.jobs.map((j) => [j.id, counts(out.get(j.id))]));
    expect(emulated).toEqual(simulated);
    // Waits agree to the emulator's timestamp precision: an offer's expiresAt is written to the millisecond.
    for (const j of sim.jobs) {
      expect(Math.abs((out.get(j.id)?.waitS ?? NaN) - fromSimulator(j).waitS), j.id).toBeLessThanOrEqual(0.002);
    }
    // Every expired offer's late answer was sent to the emulator and refused; so were answers to offers revoked
    // because the caller hung up. Only the answered offers were accepted.
    const offers = sim.jobs.reduce((s, j) => s + j.offers, 0);
    const answered = sim.jobs.filter((j) => j.outcome === "answered").length;
    expect(refused).toBeGreaterThanOrEqual(expiredInSim);
    expect(refused).toBeLessThanOrEqual(offers - answered);
  });
});
