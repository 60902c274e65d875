// The routing rules the simulator relies on, pinned: on the routing core directly (deterministic, manual clock) and
// through whole simulations (statistical, seeded).

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ManualClock, Router, type RouterEvent, type RoutingConfig } from "../../routing";
import { reportJson, ScenarioError, simulate, simulateWithRuns } from "../../simulator";

const voice = [{ channelId: "voice", capacityCostPerJob: 1 }];

function config(partial: Partial<RoutingConfig>): RoutingConfig {
  return {
    distributionPolicies: [{ id: "li", offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } }],
    queues: [{ id: "q", distributionPolicyId: "li" }],
    classificationPolicies: [],
    exceptionPolicies: [],
    ...partial,
  };
}

function routerWith(cfg: RoutingConfig): { router: Router; clock: ManualClock; events: RouterEvent[] } {
  const clock = new ManualClock();
  const events: RouterEvent[] = [];
  const router = new Router({ config: cfg, clock, random: () => 0.5, onEvent: (e) => events.push(e) });
  return { router, clock, events };
}

/** The id of the latest offer of a job to a worker: offers, not (worker, job) pairs, are accepted. */
function offerOf(events: RouterEvent[], workerId: string, jobId: string): string {
  const e = [...events].reverse().find((x) => x.kind === "offerIssued" && x.workerId === workerId && x.jobId === jobId);
  if (e?.kind !== "offerIssued") throw new Error(`no offer of ${jobId} to ${workerId}`);
  return e.offerId;
}

const assigned = (events: RouterEvent[]): Array<[string, string]> =>
  events.flatMap((e) => (e.kind === "assigned" ? [[e.jobId, e.workerId] as [string, string]] : []));

describe("routing core", () => {
  it("serves a busy queue by priority, then by arrival", async () => {
    const { router, events } = routerWith(config({}));
    router.addWorker({ id: "w", queues: ["q"], capacity: 1, channels: voice, available: true });
    await router.submitJob({ id: "first", channelId: "voice", queueId: "q" });
    router.acceptOffer(offerOf(events, "w", "first"));
    await router.submitJob({ id: "low-1", channelId: "voice", queueId: "q", priority: 1 });
    await router.submitJob({ id: "low-2", channelId: "voice", queueId: "q", priority: 1 });
    await router.submitJob({ id: "high", channelId: "voice", queueId: "q", priority: 10 });
    const served: string[] = [];
    let current = "first";
    for (let i = 0; i < 3; i++) {
      router.completeJob(current);
      await router.idle();
      const offer = [...events].reverse().find((e) => e.kind === "offerIssued");
      if (offer?.kind !== "offerIssued") throw new Error("no offer after completion");
      router.acceptOffer(offer.offerId);
      served.push(offer.jobId);
      current = offer.jobId;
    }
    expect(served).toEqual(["high", "low-1", "low-2"]);
  });

  it("offers a job only to workers whose labels satisfy its selectors, until the selector expires", async () => {
    const { router, clock, events } = routerWith(config({}));
    router.addWorker({
      id: "en",
      queues: ["q"],
      labels: { language: "en" },
      capacity: 1,
      channels: voice,
      available: true,
    });
    router.addWorker({
      id: "fr",
      queues: ["q"],
      labels: { language: "fr" },
      capacity: 1,
      channels: voice,
      available: true,
    });
    await router.submitJob({
      id: "j-fr",
      channelId: "voice",
      queueId: "q",
      requestedWorkerSelectors: [{ key: "language", labelOperator: "equal", value: "fr" }],
    });
    router.acceptOffer(offerOf(events, "fr", "j-fr"));
    await router.submitJob({
      id: "j-fr-2",
      channelId: "voice",
      queueId: "q",
      requestedWorkerSelectors: [{ key: "language", labelOperator: "equal", value: "fr", expiresAfterSeconds: 30 }],
    });
    // The only French speaker is busy and the English speaker does not qualify: no offer yet.
    expect(events.filter((e) => e.kind === "offerIssued" && e.jobId === "j-fr-2")).toHaveLength(0);
    await clock.advance(30_000);
    const offer = events.find((e) => e.kind === "offerIssued" && e.jobId === "j-fr-2");
    expect(offer?.kind === "offerIssued" ? offer.workerId : undefined).toBe("en");
    router.acceptOffer(offerOf(events, "en", "j-fr-2"));
    expect(assigned(events)).toEqual([
      ["j-fr", "fr"],
      ["j-fr-2", "en"],
    ]);
  });

  it("re-offers a job whose offer expired and never hands one worker two offers beyond its capacity", async () => {
    const { router, clock, events } = routerWith(config({}));
    router.addWorker({ id: "a", queues: ["q"], capacity: 1, channels: voice, available: true });
    await router.submitJob({ id: "j1", channelId: "voice", queueId: "q" });
    await router.submitJob({ id: "j2", channelId: "voice", queueId: "q" });
    expect(
      events.filter((e) => e.kind === "offerIssued").map((e) => (e.kind === "offerIssued" ? e.jobId : "")),
    ).toEqual(["j1"]);
    await clock.advance(60_000);
    expect(events.some((e) => e.kind === "offerExpired" && e.jobId === "j1")).toBe(true);
    // After the expiry the worker is free again and j1 is still first in service order.
    const last = [...events].reverse().find((e) => e.kind === "offerIssued");
    expect(last?.kind === "offerIssued" ? last.jobId : undefined).toBe("j1");
  });

  it("ignores an accept or decline of an expired offer, even when the job was re-offered to the same worker", async () => {
    const { router, clock, events } = routerWith(config({}));
    router.addWorker({ id: "a", queues: ["q"], capacity: 1, channels: voice, available: true });
    await router.submitJob({ id: "j", channelId: "voice", queueId: "q" });
    const first = offerOf(events, "a", "j");
    await clock.advance(60_000);
    const second = offerOf(events, "a", "j");
    // The same job, the same worker, a new offer.
    expect(second).not.toBe(first);
    expect(router.acceptOffer(first)).toBe(false);
    expect(router.declineOffer(first)).toBe(false);
    expect(router.jobStatus("j")).toBe("queued");
    expect(assigned(events)).toEqual([]);
    expect(router.acceptOffer(second)).toBe(true);
    expect(assigned(events)).toEqual([["j", "a"]]);
    // An accepted offer is no longer open either.
    expect(router.acceptOffer(second)).toBe(false);
  });
});

function oneQueue(traffic: Record<string, unknown>, cfg: Partial<RoutingConfig> = {}): unknown {
  return {
    config: config(cfg),
    traffic: {
      durationSeconds: 36_000,
      seed: 11,
      workers: [{ count: 5, idPrefix: "agent", queues: ["q"], capacity: 1, channels: voice }],
      arrivals: [{ channelId: "voice", queueId: "q", ratePerHour: 60, handleSeconds: { fixed: 120 } }],
      ...traffic,
    },
  };
}

describe("simulations", () => {
  it("splits a weighted allocation by its weights", async () => {
    const scenario = {
      config: config({
        queues: [
          { id: "a", distributionPolicyId: "li", labels: { name: "a" } },
          { id: "b", distributionPolicyId: "li", labels: { name: "b" } },
        ],
        classificationPolicies: [
          {
            id: "split",
            queueSelectorAttachments: [
              {
                kind: "weightedAllocation",
                allocations: [
                  { weight: 0.7, queueSelectors: [{ key: "name", labelOperator: "equal", value: "a" }] },
                  { weight: 0.3, queueSelectors: [{ key: "name", labelOperator: "equal", value: "b" }] },
                ],
              },
            ],
          },
        ],
      }),
      traffic: {
        durationSeconds: 36_000,
        seed: 3,
        workers: [{ count: 50, idPrefix: "agent", queues: ["a", "b"], capacity: 1, channels: voice }],
        arrivals: [
          { channelId: "voice", classificationPolicyId: "split", ratePerHour: 1000, handleSeconds: { fixed: 60 } },
        ],
      },
    };
    const r = (await simulate(scenario)).after;
    const a = r.queues.a?.arrived ?? 0;
    const b = r.queues.b?.arrived ?? 0;
    expect(a + b).toBe(r.totals.arrived);
    expect(a + b).toBeGreaterThan(9000);
    expect(Math.abs(a / (a + b) - 0.7)).toBeLessThan(0.02);
  });

  it("reclassifies a job that waited past a waitTime rule into the queue its new labels select", async () => {
    const scenario = oneQueue(
      {
        workers: [{ count: 2, idPrefix: "agent", queues: ["overflow"], capacity: 1, channels: voice }],
        arrivals: [
          { channelId: "voice", classificationPolicyId: "route", ratePerHour: 30, handleSeconds: { fixed: 60 } },
        ],
      },
      {
        queues: [
          { id: "q", distributionPolicyId: "li", exceptionPolicyId: "overflow-after-45s", labels: { tier: "main" } },
          { id: "overflow", distributionPolicyId: "li", labels: { tier: "overflow" } },
        ],
        classificationPolicies: [
          {
            id: "route",
            fallbackQueueId: "q",
            queueSelectorAttachments: [{ kind: "passThrough", key: "tier", labelOperator: "equal" }],
          },
        ],
        exceptionPolicies: [
          {
            id: "overflow-after-45s",
            exceptionRules: [
              {
                id: "waited",
                trigger: { kind: "waitTime", thresholdSeconds: 45 },
                actions: [
                  { kind: "reclassify", classificationPolicyId: "route", labelsToUpsert: { tier: "overflow" } },
                ],
              },
            ],
          },
        ],
      },
    );
    const { after, report } = await simulateWithRuns(scenario);
    expect(report.after.queues.q?.arrived).toBe(0);
    expect(report.after.queues.overflow?.arrived).toBe(report.after.totals.arrived);
    const answered = after.jobs.filter((j) => j.outcome === "answered");
    expect(answered.length).toBeGreaterThan(200);
    // Nobody staffs the first queue, so every answer comes after the 45 s rule moved the job.
    for (const j of answered) expect(j.waitS).toBeGreaterThanOrEqual(45 - 1e-6); // float seconds from ms
  });

  it("lets callers hang up when their wait reaches their patience, and only then", async () => {
    const scenario = oneQueue({
      workers: [{ count: 1, idPrefix: "agent", queues: ["q"], capacity: 1, channels: voice }],
      arrivals: [
        {
          channelId: "voice",
          queueId: "q",
          ratePerHour: 40,
          handleSeconds: { exponential: { mean: 120 } },
          patienceSeconds: { exponential: { mean: 60 } },
        },
      ],
    });
    const { after, report } = await simulateWithRuns(scenario);
    const abandoned = after.jobs.filter((j) => j.outcome === "abandoned");
    const answered = after.jobs.filter((j) => j.outcome === "answered");
    expect(abandoned.length).toBeGreaterThan(20);
    expect(answered.length).toBeGreaterThan(20);
    for (const j of abandoned) expect(j.waitS).toBeCloseTo(j.patienceS, 6);
    for (const j of answered) expect(j.waitS ?? Infinity).toBeLessThanOrEqual(j.patienceS);
    expect(report.after.queues.q?.abandonRate).toBeCloseTo(abandoned.length / after.jobs.length, 3);
  });

  it("gives the same bytes for the same seed and different figures for another seed", async () => {
    const file = path.join(__dirname, "../../examples/simulation/scenario.json");
    const scenario = JSON.parse(readFileSync(file, "utf8")) as { traffic: { seed: number } };
    const one = reportJson(await simulate(scenario));
    const two = reportJson(await simulate(JSON.parse(readFileSync(file, "utf8"))));
    expect(two).toBe(one);
    scenario.traffic.seed += 1;
    expect(reportJson(await simulate(scenario))).not.toBe(one);
  });

  it("refuses a bad scenario naming each field and rule before running", async () => {
    const bad = oneQueue({ durationSeconds: -1, arrivals: [{ channelId: "voice", queueId: "nope", ratePerHour: 5 }] });
    const err = await simulate(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    const msg = (err as Error).message;
    expect(msg).toContain("traffic.durationSeconds: must be greater than 0");
    expect(msg).toContain(
      'traffic.arrivals[0].queueId: names queue "nope", which is not in the configuration (its queues: "q")',
    );
    expect(msg).toContain("traffic.arrivals[0].handleSeconds: is required");
  });
});
