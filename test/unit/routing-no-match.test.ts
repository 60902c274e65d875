// A queued job the matching pass found no eligible worker for is not scanned again until it or its queue's pool
// changes. These pin the changes that must still reach it: a worker that qualifies registering or changing, a selector
// expiring, a decline's retry time passing, and a job re-queued elsewhere.

import { describe, expect, it } from "vitest";
import { ManualClock, Router, type RouterEvent, type RoutingConfig } from "../../routing";

const voice = [{ channelId: "voice", capacityCostPerJob: 1 }];

const config: RoutingConfig = {
  distributionPolicies: [{ id: "li", offerExpiresAfterSeconds: 60, mode: { kind: "longestIdle" } }],
  queues: [
    { id: "q", distributionPolicyId: "li" },
    { id: "r", distributionPolicyId: "li" },
  ],
  classificationPolicies: [],
  exceptionPolicies: [],
};

function setup(): { router: Router; clock: ManualClock; events: RouterEvent[] } {
  const clock = new ManualClock();
  const events: RouterEvent[] = [];
  const router = new Router({ config, clock, random: () => 0.5, onEvent: (e) => events.push(e) });
  return { router, clock, events };
}

const offers = (events: RouterEvent[]): Array<[string, string]> =>
  events.flatMap((e) => (e.kind === "offerIssued" ? [[e.jobId, e.workerId] as [string, string]] : []));

const english = [{ key: "language", labelOperator: "equal" as const, value: "en" }];

describe("a job with no eligible worker", () => {
  it("is offered once a qualifying worker registers, after passes that skipped it", async () => {
    const { router, events } = setup();
    router.addWorker({
      id: "fr1",
      queues: ["q"],
      labels: { language: "fr" },
      capacity: 1,
      channels: voice,
      available: true,
    });
    await router.submitJob({ id: "j1", channelId: "voice", queueId: "q", requestedWorkerSelectors: english });
    // Another arrival makes another pass, which finds j1 unchanged.
    await router.submitJob({ id: "j2", channelId: "voice", queueId: "q" });
    expect(offers(events)).toEqual([["j2", "fr1"]]);
    router.addWorker({
      id: "en1",
      queues: ["q"],
      labels: { language: "en" },
      capacity: 1,
      channels: voice,
      available: true,
    });
    await router.idle();
    expect(offers(events)).toEqual([
      ["j2", "fr1"],
      ["j1", "en1"],
    ]);
  });

  it("is offered once a busy worker that qualifies is freed", async () => {
    const { router, events } = setup();
    router.addWorker({
      id: "en1",
      queues: ["q"],
      labels: { language: "en" },
      capacity: 1,
      channels: voice,
      available: true,
    });
    router.addWorker({
      id: "fr1",
      queues: ["q"],
      labels: { language: "fr" },
      capacity: 1,
      channels: voice,
      available: true,
    });
    await router.submitJob({ id: "j1", channelId: "voice", queueId: "q", requestedWorkerSelectors: english });
    const first = events.find((e) => e.kind === "offerIssued");
    expect(first?.kind === "offerIssued" && first.workerId).toBe("en1");
    if (first?.kind !== "offerIssued") throw new Error("no offer");
    router.acceptOffer(first.offerId);
    await router.idle();
    await router.submitJob({ id: "j2", channelId: "voice", queueId: "q", requestedWorkerSelectors: english });
    await router.submitJob({ id: "j3", channelId: "voice", queueId: "q" });
    expect(offers(events)).toEqual([
      ["j1", "en1"],
      ["j3", "fr1"],
    ]);
    router.completeJob("j1");
    await router.idle();
    expect(offers(events)).toEqual([
      ["j1", "en1"],
      ["j3", "fr1"],
      ["j2", "en1"],
    ]);
  });

  it("is offered when its selector expires, with no other change", async () => {
    const { router, clock, events } = setup();
    router.addWorker({
      id: "fr1",
      queues: ["q"],
      labels: { language: "fr" },
      capacity: 1,
      channels: voice,
      available: true,
    });
    await router.submitJob({
      id: "j1",
      channelId: "voice",
      queueId: "q",
      requestedWorkerSelectors: [{ ...english[0]!, expiresAfterSeconds: 30 }],
    });
    await router.submitJob({ id: "j2", channelId: "voice", queueId: "q", requestedWorkerSelectors: english });
    expect(offers(events)).toEqual([]);
    await clock.advance(30_000);
    await router.idle();
    expect(offers(events)).toEqual([["j1", "fr1"]]);
  });

  it("is offered again to a worker that declined it once the retry time passes", async () => {
    const { router, clock, events } = setup();
    router.addWorker({
      id: "en1",
      queues: ["q"],
      labels: { language: "en" },
      capacity: 1,
      channels: voice,
      available: true,
    });
    await router.submitJob({ id: "j1", channelId: "voice", queueId: "q" });
    const offer = events.find((e) => e.kind === "offerIssued");
    if (offer?.kind !== "offerIssued") throw new Error("no offer");
    expect(router.declineOffer(offer.offerId, clock.now() + 10_000)).toBe(true);
    await router.idle();
    // Passes before the retry time find nobody for j1.
    await router.submitJob({ id: "j2", channelId: "voice", queueId: "r" });
    await clock.advance(5_000);
    await router.idle();
    expect(offers(events)).toEqual([["j1", "en1"]]);
    await clock.advance(5_000);
    await router.idle();
    expect(offers(events)).toEqual([
      ["j1", "en1"],
      ["j1", "en1"],
    ]);
  });
});
