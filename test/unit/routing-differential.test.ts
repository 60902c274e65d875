// Issue 23, "proof they agree, job by job": each scenario is played through the emulator over real HTTP (manual
// clock) and through the simulator's core `routing/Router` (virtual time), and the per-job event sequences must be
// the same (see ./routing-differential.ts for the driver and the event vocabulary).
//
// KNOWN DIFFERENCES, found by this harness. These scenarios are left out of the suite until the two machines are one;
// they are listed here so that nobody mistakes their absence for agreement. Each: the scenario, then the first
// differing event (job, index in its sequence: emulator | Router).
// 1. bestWorker with a directMap scoring rule (workers Skill 3 and 9, one job): the emulator queues the job and
//    offers it to nobody (the rule yields no score); Router.submitJob throws RuleError "scoringRule of kind directMap
//    cannot be evaluated without HTTP". j1[2]: (no event) | submitJob throws.
// 2. waitTime reclassify that revokes an offer (worker `busy` in q1 with capacity 1; j0 then j1 queued in q1, j0
//    offered to busy; after 30 s j0 is reclassified to q2): Router offers the freed worker the next job of q1 at once,
//    the emulator does not (j1 waits for its own exception), with the arrivals at the same instant or 5 s apart.
//    j1[2]: "exception slow" | "offer busy".
// 3. decline with retryOfferAt (w1 declines j1 with a retry 5 s later; 6 s pass; j2 arrives): the emulator offers j1
//    to w1 again when the retry time comes; Router arms no timer for it, and when j2 arrives offers w1 j2, not the
//    older j1. j1[4]: "offer w1" | (no event); j2[2]: (no event) | "offer w1".
// 4. maxConcurrentOffers 2, one offer accepted: the emulator raises OfferAccepted then OfferRevoked for the other
//    worker; Router revokes the other offer first, then raises assigned. j1[4]: "assigned w2" | "revoked w1".

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

const SCENARIOS: Record<string, Scenario> = {
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
  },
  "waitTime exception reclassifies a waiting job into the overflow queue": {
    config: {
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
              actions: [
                { kind: "reclassify", classificationPolicyId: "overflow", labelsToUpsert: { Escalated: true } },
              ],
            },
          ],
        },
      ],
    },
    steps: [worker("w2", { queues: ["q2"] }), job("j1"), { advanceMs: 10_000 }, job("j2"), { advanceMs: 25_000 }],
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
  },
  "a cancelled job revokes its offer and the worker takes the next": {
    config: config(longestIdle),
    steps: [worker("w1"), job("j1"), job("j2"), { cancel: "j1" }, { accept: "j2", by: "w1" }, { complete: "j2" }],
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
  },
};

function offered(t: Trace): number {
  return Object.values(t).filter((events) => events.some((e) => e.startsWith("offer "))).length;
}

describe("emulator and routing/Router raise the same per-job events", () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      const emulator = await runOnEmulator(scenario);
      const router = await runOnRouter(scenario);
      const diff = firstDifference(emulator, router);
      expect(diff).toBeUndefined();
      expect(router).toEqual(emulator);
      // Something was routed: the agreement is not two empty traces.
      expect(offered(emulator)).toBeGreaterThan(0);
    });
  }
});
