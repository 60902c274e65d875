// Issue 23, "proof they agree, job by job": each scenario is played through the emulator over real HTTP (manual
// clock) and through the simulator's driver `routing/Router` in virtual time (the simulator's VirtualClock), and the
// per-job event sequences must be the same (see ./routing-differential.ts for the driver and the event vocabulary).
// Both run the one routing core (routing/core); what this pins is that the two hosts around it (the emulator's REST
// handlers and store, the simulator's driver) feed it and read it alike. Four scenarios (directMap scoring, two
// same-instant reclassifications, a decline with retryOfferAt, maxConcurrentOffers 2 with one accept) disagreed while
// the simulator had its own state machine.
//
// Each scenario also names, per job, key events its trace must contain in that order (`expected`), checked on both
// sides: two empty or truncated traces cannot agree their way to green.

import { describe, expect, it } from "vitest";
import type { DistributionMode, RouterChannel } from "../../provider/client/models";
import type { RoutingConfig } from "../../routing";
import {
  firstDifference,
  runOnEmulator,
  runOnRouter,
  type Scenario,
  type Step,
  type Trace,
} from "./routing-differential";

const chat: RouterChannel[] = [{ channelId: "chat", capacityCostPerJob: 1 }];

function config(
  mode: DistributionMode,
  extra: Partial<RoutingConfig> = {},
  offerExpiresAfterSeconds = 60,
): RoutingConfig {
  return {
    distributionPolicies: [{ id: "dp", name: "dp", offerExpiresAfterSeconds, mode }],
    queues: [{ id: "q1", name: "q1", distributionPolicyId: "dp" }],
    classificationPolicies: [],
    exceptionPolicies: [],
    ...extra,
  };
}

const longestIdle: DistributionMode = { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 };

const worker = (id: string, extra: Partial<Extract<Step, { worker: string }>> = {}): Step => ({
  worker: id,
  queues: ["q1"],
  capacity: 1,
  channels: chat,
  ...extra,
});
const job = (id: string, extra: Partial<Extract<Step, { job: string }>> = {}): Step => ({
  job: id,
  channelId: "chat",
  queueId: "q1",
  ...extra,
});

/** A scenario and the key events (per job, in order, not necessarily adjacent) both traces must contain. */
interface Case extends Scenario {
  expected: Trace;
}

/** q1's waitTime rule `slow` (30 s) reclassifies into the overflow queue q2 (priority 10, label Escalated). */
const overflowAfter30s: RoutingConfig = {
  ...config(longestIdle),
  queues: [
    { id: "q1", name: "q1", distributionPolicyId: "dp", exceptionPolicyId: "ep" },
    { id: "q2", name: "q2", distributionPolicyId: "dp", labels: { Overflow: true } },
  ],
  classificationPolicies: [
    {
      id: "overflow",
      name: "overflow",
      queueSelectorAttachments: [
        { kind: "static", queueSelector: { key: "Overflow", labelOperator: "equal", value: true } },
      ],
      prioritizationRule: { kind: "static", value: 10 },
    },
  ],
  exceptionPolicies: [
    {
      id: "ep",
      exceptionRules: [
        {
          id: "slow",
          trigger: { kind: "waitTime", thresholdSeconds: 30 },
          actions: [{ kind: "reclassify", classificationPolicyId: "overflow", labelsToUpsert: { Escalated: true } }],
        },
      ],
    },
  ],
};

const SCENARIOS: Record<string, Case> = {
  "longestIdle: the worker idle longest is offered first; accept, complete, the next job follows": {
    config: config(longestIdle),
    steps: [
      worker("w1"),
      { advanceMs: 1000 },
      worker("w2"),
      { advanceMs: 1000 },
      worker("w3"),
      job("j1"),
      job("j2"),
      { accept: "j1", by: "w1" },
      job("j3"),
      job("j4"),
      { complete: "j1" },
      { accept: "j2", by: "w2" },
    ],
    expected: {
      j1: ["offer w1", "assigned w1", "completed"],
      j2: ["offer w2", "assigned w2"],
      j3: ["offer w3"],
      j4: ["offer w1"],
    },
  },
  "roundRobin: offers rotate over the workers": {
    config: config({ kind: "roundRobin", minConcurrentOffers: 1, maxConcurrentOffers: 1 }),
    steps: [
      worker("w1", { capacity: 3, channels: [{ channelId: "chat", capacityCostPerJob: 1 }] }),
      worker("w2", { capacity: 3 }),
      worker("w3", { capacity: 3 }),
      job("j1"),
      job("j2"),
      job("j3"),
      job("j4"),
      job("j5"),
    ],
    expected: { j1: ["offer w1"], j2: ["offer w2"], j3: ["offer w3"], j4: ["offer w1"], j5: ["offer w2"] },
  },
  "bestWorker with an expression scoring rule": {
    config: config({
      kind: "bestWorker",
      minConcurrentOffers: 1,
      maxConcurrentOffers: 1,
      scoringRule: { kind: "expression", expression: "worker.Skill" },
    }),
    steps: [
      worker("w1", { labels: { Skill: 3 } }),
      worker("w2", { labels: { Skill: 9 } }),
      worker("w3", { labels: { Skill: 5 } }),
      job("j1"),
      job("j2"),
      { decline: "j1", by: "w2" },
      job("j3"),
    ],
    expected: { j1: ["offer w2", "declined w2", "offer w1"], j2: ["offer w3"], j3: ["offer w2"] },
  },
  "weighted allocation picks the queue the draw lands in": {
    random: () => 0.7,
    config: {
      ...config(longestIdle),
      queues: [
        { id: "q1", name: "q1", distributionPolicyId: "dp", labels: { Tier: "gold" } },
        { id: "q2", name: "q2", distributionPolicyId: "dp", labels: { Tier: "silver" } },
      ],
      classificationPolicies: [
        {
          id: "cp",
          name: "cp",
          queueSelectorAttachments: [
            {
              kind: "weightedAllocation",
              allocations: [
                { weight: 0.5, queueSelectors: [{ key: "Tier", labelOperator: "equal", value: "gold" }] },
                { weight: 0.5, queueSelectors: [{ key: "Tier", labelOperator: "equal", value: "silver" }] },
              ],
            },
          ],
          prioritizationRule: { kind: "static", value: 5 },
        },
      ],
    },
    steps: [worker("w1", { queues: ["q1", "q2"] }), job("j1", { queueId: undefined, classificationPolicyId: "cp" })],
    expected: { j1: ["queued q2 p5", "offer w1"] },
  },
  "waitTime exception reclassifies a waiting job into the overflow queue": {
    config: overflowAfter30s,
    steps: [worker("w2", { queues: ["q2"] }), job("j1"), { advanceMs: 10_000 }, job("j2"), { advanceMs: 25_000 }],
    expected: { j1: ["queued q1 p1", "exception slow", "queued q2 p10", "offer w2"], j2: ["queued q1 p1"] },
  },
  "waitTime exception manually reclassifies into another queue with a new priority": {
    config: {
      ...config(longestIdle),
      queues: [
        { id: "q1", name: "q1", distributionPolicyId: "dp", exceptionPolicyId: "ep" },
        { id: "q2", name: "q2", distributionPolicyId: "dp" },
      ],
      exceptionPolicies: [
        {
          id: "ep",
          exceptionRules: [
            {
              id: "move",
              trigger: { kind: "waitTime", thresholdSeconds: 20 },
              actions: [{ kind: "manualReclassify", queueId: "q2", priority: 7 }],
            },
          ],
        },
      ],
    },
    steps: [worker("w2", { queues: ["q2"] }), job("j1"), { advanceMs: 21_000 }],
    expected: { j1: ["queued q1 p1", "exception move", "queued q2 p7", "offer w2"] },
  },
  "queueLength exception cancels the arrival that makes the queue too long": {
    config: {
      ...config(longestIdle),
      queues: [{ id: "q1", name: "q1", distributionPolicyId: "dp", exceptionPolicyId: "ep" }],
      exceptionPolicies: [
        {
          id: "ep",
          exceptionRules: [
            {
              id: "full",
              trigger: { kind: "queueLength", threshold: 2 },
              actions: [{ kind: "cancel", dispositionCode: "QueueFull" }],
            },
          ],
        },
      ],
    },
    steps: [job("j1"), job("j2"), job("j3"), worker("w1")],
    expected: { j1: ["offer w1"], j2: ["queued q1 p1"], j3: ["exception full", "cancelled"] },
  },
  "an expiring worker selector widens the job to other workers": {
    config: config(longestIdle),
    steps: [
      worker("w-en", { labels: { Lang: "en" } }),
      job("j1", {
        requestedWorkerSelectors: [{ key: "Lang", labelOperator: "equal", value: "fr", expiresAfterSeconds: 20 }],
      }),
      { advanceMs: 21_000 },
    ],
    expected: { j1: ["queued q1 p1", "offer w-en"] },
  },
  "an offer expires, is offered again to the longest-idle worker; declined, it goes to the next": {
    config: config(longestIdle, {}, 10),
    steps: [
      worker("w1"),
      { advanceMs: 1000 },
      worker("w2"),
      job("j1"),
      { advanceMs: 11_000 },
      { decline: "j1", by: "w1" },
      { accept: "j1", by: "w2" },
    ],
    expected: { j1: ["offer w1", "expired w1", "offer w1", "declined w1", "offer w2", "assigned w2"] },
  },
  "a cancelled job revokes its offer and the worker takes the next": {
    config: config(longestIdle),
    steps: [worker("w1"), job("j1"), job("j2"), { cancel: "j1" }, { accept: "j2", by: "w1" }, { complete: "j2" }],
    expected: { j1: ["offer w1", "revoked w1", "cancelled"], j2: ["offer w1", "assigned w1", "completed"] },
  },
  "multi-channel capacity: a voice job fills the worker, chats share it": {
    config: config(longestIdle),
    steps: [
      worker("w1", {
        capacity: 10,
        channels: [
          { channelId: "voice", capacityCostPerJob: 10 },
          { channelId: "chat", capacityCostPerJob: 5 },
        ],
      }),
      job("c1"),
      job("c2"),
      job("v1", { channelId: "voice" }),
      job("c3"),
      { accept: "c1", by: "w1" },
      { accept: "c2", by: "w1" },
      { complete: "c1" },
      { complete: "c2" },
    ],
    expected: {
      c1: ["offer w1", "assigned w1", "completed"],
      c2: ["offer w1", "assigned w1", "completed"],
      c3: ["offer w1"],
      v1: ["queued q1 p1"],
    },
  },
  "bestWorker with a directMap scoring rule": {
    config: config({
      kind: "bestWorker",
      minConcurrentOffers: 1,
      maxConcurrentOffers: 1,
      scoringRule: { kind: "directMap" },
    }),
    steps: [
      worker("w1", { labels: { Skill: 3 } }),
      worker("w2", { labels: { Skill: 9 } }),
      job("j1", { labels: { Skill: 9 } }),
    ],
    expected: { j1: ["received", "queued q1 p1"] },
  },
  "an expiring requested selector blocks every worker until it expires, then the job is offered": {
    config: config(longestIdle),
    steps: [
      worker("w-en", { labels: { Lang: "en" } }),
      { advanceMs: 1000 },
      worker("w-de", { labels: { Lang: "de" } }),
      job("j1", {
        requestedWorkerSelectors: [{ key: "Lang", labelOperator: "equal", value: "fr", expiresAfterSeconds: 20 }],
      }),
      { advanceMs: 19_000 },
      { mark: "19s" },
      { advanceMs: 2000 },
      { accept: "j1", by: "w-en" },
    ],
    expected: { j1: ["queued q1 p1", "mark 19s", "offer w-en", "assigned w-en"] },
  },
  "an expiring selector attached by the classification policy blocks the job until it expires": {
    config: {
      ...config(longestIdle),
      classificationPolicies: [
        {
          id: "senior",
          name: "senior",
          workerSelectorAttachments: [
            {
              kind: "static",
              workerSelector: { key: "Tier", labelOperator: "equal", value: "senior", expiresAfterSeconds: 15 },
            },
          ],
        },
      ],
    },
    steps: [
      worker("w-jr", { labels: { Tier: "junior" } }),
      job("j1", { classificationPolicyId: "senior" }),
      { advanceMs: 14_000 },
      { mark: "14s" },
      { advanceMs: 2000 },
      { accept: "j1", by: "w-jr" },
    ],
    expected: { j1: ["queued q1 p1", "mark 14s", "offer w-jr", "assigned w-jr"] },
  },
  "multi-channel capacity: chats fill the worker up to the channel's maxNumberOfJobs, a voice job waits for them": {
    config: config(longestIdle),
    steps: [
      worker("w1", {
        capacity: 10,
        channels: [
          { channelId: "voice", capacityCostPerJob: 10 },
          { channelId: "chat", capacityCostPerJob: 2, maxNumberOfJobs: 3 },
        ],
      }),
      job("c1"),
      job("c2"),
      job("c3"),
      job("v1", { channelId: "voice" }),
      job("c4"),
      { accept: "c1", by: "w1" },
      { accept: "c2", by: "w1" },
      { accept: "c3", by: "w1" },
      { mark: "full" },
      { complete: "c1" },
      { accept: "c4", by: "w1" },
      { complete: "c2" },
      { complete: "c3" },
      { mark: "one chat left" },
      { complete: "c4" },
      { accept: "v1", by: "w1" },
      job("c5"),
      { mark: "on voice" },
      { complete: "v1" },
    ],
    expected: {
      c1: ["offer w1", "assigned w1", "mark full", "completed"],
      c2: ["offer w1", "assigned w1", "mark full", "completed"],
      c3: ["offer w1", "assigned w1", "mark full", "completed"],
      c4: ["mark full", "offer w1", "assigned w1", "completed"],
      v1: ["mark one chat left", "offer w1", "assigned w1", "mark on voice", "completed"],
      c5: ["mark on voice", "offer w1"],
    },
  },
  "waitTime reclassify revokes the offer of the job it moves": {
    config: overflowAfter30s,
    steps: [
      worker("busy", { queues: ["q1"] }),
      worker("w2", { queues: ["q2"] }),
      job("j0"),
      { advanceMs: 5000 },
      job("j1"),
      { advanceMs: 26_000 },
      { mark: "31s" },
      { advanceMs: 5000 },
    ],
    expected: {
      j0: ["offer busy", "exception slow", "revoked busy", "queued q2 p10", "offer w2"],
      j1: ["offer busy", "mark 31s", "exception slow", "revoked busy", "queued q2 p10"],
    },
  },
  "waitTime reclassify at the same instant for two jobs, one holding an offer": {
    config: overflowAfter30s,
    steps: [
      worker("busy", { queues: ["q1"] }),
      worker("w2", { queues: ["q2"] }),
      job("j0"),
      job("j1"),
      { advanceMs: 31_000 },
    ],
    expected: {
      j0: ["offer busy", "exception slow", "revoked busy", "queued q2 p10", "offer w2"],
      j1: ["exception slow", "queued q2 p10"],
    },
  },
  "a decline with retryOfferAt: the job is offered to the same worker again at that time": {
    config: config(longestIdle),
    steps: [worker("w1"), job("j1"), { decline: "j1", by: "w1", retryAfterMs: 5000 }, { advanceMs: 6000 }, job("j2")],
    expected: { j1: ["offer w1", "declined w1", "offer w1"], j2: ["queued q1 p1"] },
  },
  "maxConcurrentOffers 2: one worker accepts, the other's offer is revoked": {
    config: config({ kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 2 }),
    steps: [worker("w1"), { advanceMs: 1000 }, worker("w2"), job("j1"), { accept: "j1", by: "w2" }, job("j2")],
    expected: { j1: ["offer w1", "offer w2", "assigned w2"], j2: ["offer w1"] },
  },
  "an offer expires and the same worker, the only one, is offered the job again and accepts": {
    config: config(longestIdle, {}, 10),
    steps: [
      worker("w1"),
      job("j1"),
      { advanceMs: 9000 },
      { mark: "9s" },
      { advanceMs: 2000 },
      { accept: "j1", by: "w1" },
    ],
    expected: { j1: ["offer w1", "mark 9s", "expired w1", "offer w1", "assigned w1"] },
  },
  "a worker going unavailable loses its offer to the next worker; back again, it is offered new work": {
    config: config(longestIdle),
    steps: [
      worker("w1"),
      { advanceMs: 1000 },
      worker("w2"),
      job("j1"),
      { unavailable: "w1" },
      { accept: "j1", by: "w2" },
      job("j2"),
      { mark: "w1 back" },
      { available: "w1" },
      { accept: "j2", by: "w1" },
    ],
    expected: {
      j1: ["offer w1", "revoked w1", "offer w2", "assigned w2"],
      j2: ["queued q1 p1", "mark w1 back", "offer w1", "assigned w1"],
    },
  },
};

/** Whether `want` occurs in `events` in order (other events may come between). */
function containsInOrder(events: string[] | undefined, want: string[]): boolean {
  let i = 0;
  for (const e of events ?? []) if (i < want.length && e === want[i]) i++;
  return i === want.length;
}

describe("emulator and routing/Router raise the same per-job events", () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const emulator = await runOnEmulator(scenario);
      const router = await runOnRouter(scenario);
      expect(firstDifference(emulator, router)).toBeUndefined();
      expect(router).toEqual(emulator);
      // The agreement is about something: every key event is there, on both sides.
      expect(Object.keys(scenario.expected).length).toBeGreaterThan(0);
      for (const [jobId, want] of Object.entries(scenario.expected)) {
        expect(containsInOrder(emulator[jobId], want), `emulator ${jobId}: ${want.join(", ")}`).toBe(true);
        expect(containsInOrder(router[jobId], want), `router ${jobId}: ${want.join(", ")}`).toBe(true);
      }
    });
  }
});
