// The matching engine keeps state across passes so it scales (cached worker views, offers re-checked only when
// their job, worker or queue policy changed, jobs at their maximum of offers skipped). These tests cover the
// changes that must still reach matching through those shortcuts.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addWorker, setupQueue, startHarness, type Harness } from "./runtime-harness";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function offersOf(workerId: string) {
  return (await h.client.getWorker(workerId)).offers ?? [];
}

/** Admin writes re-run matching from a setImmediate after the answer; wait for it and for routing to settle. */
async function afterAdminWrite(): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  await h.runtime.idle();
}

describe("incremental matching", () => {
  it("an offer made under bypassSelectors is revoked once the policy stops bypassing", async () => {
    await setupQueue(h, { mode: { kind: "longestIdle", bypassSelectors: true } });
    await addWorker(h, "w1", { labels: { Lang: "fr" } });
    await h.client.upsertJob("j1", {
      channelId: "chat",
      queueId: "q1",
      requestedWorkerSelectors: [{ key: "Lang", labelOperator: "equal", value: "en" }],
    });
    const [offer] = await offersOf("w1");
    expect(offer?.jobId).toBe("j1");
    // Another pass (w1 is full, j2 waits) finds j1's offer still valid under the bypassing policy.
    await h.client.upsertJob("j2", { channelId: "chat", queueId: "q1" });
    expect((await offersOf("w1")).map((o) => o.offerId)).toEqual([offer?.offerId]);

    // Neither the job nor the worker changes: only the queue's policy does.
    await h.client.upsertDistributionPolicy("q1-dp", {
      name: "q1-dp",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle", bypassSelectors: false },
    });
    await afterAdminWrite();
    // j1's offer is gone; w1's freed capacity went to j2, which has no selectors.
    expect((await offersOf("w1")).map((o) => o.jobId)).toEqual(["j2"]);
    const revoked = h.events("RouterWorkerOfferRevoked");
    expect(revoked.map((e) => e.data.offerId)).toEqual([offer?.offerId]);
  });

  it("a job moved to another channel frees its old channel's job slot on the worker it is offered to", async () => {
    await setupQueue(h, { mode: { kind: "longestIdle", maxConcurrentOffers: 1 } });
    await addWorker(h, "w1", {
      capacity: 10,
      channels: [
        { channelId: "chat", capacityCostPerJob: 1, maxNumberOfJobs: 1 },
        { channelId: "email", capacityCostPerJob: 1 },
      ],
    });
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    expect((await offersOf("w1")).map((o) => o.jobId)).toEqual(["j1"]);
    await h.client.upsertJob("j2", { channelId: "chat", queueId: "q1" });
    // The one chat slot is held by j1's offer.
    expect((await offersOf("w1")).map((o) => o.jobId)).toEqual(["j1"]);

    // j1 moves to email: its offer still holds (w1 has email) and the chat slot is free for j2.
    await h.client.upsertJob("j1", { channelId: "email" });
    await h.runtime.idle();
    expect((await offersOf("w1")).map((o) => o.jobId).sort()).toEqual(["j1", "j2"]);
  });

  it("many jobs and workers: each job gets one offer, in priority order, within every worker's capacity", async () => {
    await setupQueue(h, { mode: { kind: "longestIdle", maxConcurrentOffers: 1 } });
    const workers = Array.from({ length: 12 }, (_, i) => `w${String(i).padStart(2, "0")}`);
    // 36 slots for 50 jobs: the 36 offered must be the highest priorities (ties: earliest enqueued).
    const jobs = Array.from({ length: 50 }, (_, i) => ({
      id: `j${String(i).padStart(2, "0")}`,
      priority: (i * 7) % 10,
    }));
    // Submit while nothing can be matched, then make the workers available.
    for (const id of workers) await addWorker(h, id, { capacity: 3, available: false });
    for (const j of jobs) {
      await h.advance(1000);
      await h.client.upsertJob(j.id, { channelId: "chat", queueId: "q1", priority: j.priority });
    }
    for (const id of workers) await addWorker(h, id, { capacity: 3 });
    await h.runtime.idle();

    const offered: string[] = [];
    for (const id of workers) {
      const offers = await offersOf(id);
      expect(offers.length).toBeLessThanOrEqual(3);
      offered.push(...offers.map((o) => o.jobId));
    }
    expect(new Set(offered).size).toBe(offered.length);
    expect(offered).toHaveLength(36);
    const expected = [...jobs]
      .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1))
      .slice(0, 36)
      .map((j) => j.id)
      .sort();
    expect(offered.sort()).toEqual(expected);
  });
  it("a job holding its maximum of offers takes more once the queue's policy raises maxConcurrentOffers", async () => {
    await setupQueue(h, { mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 } });
    await addWorker(h, "w1", { capacity: 2 });
    await addWorker(h, "w2", { capacity: 2 });
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    await h.runtime.idle();
    // A second job makes another pass, which finds j1 holding its one offer.
    await h.client.upsertJob("j2", { channelId: "chat", queueId: "q1" });
    await h.runtime.idle();
    const offered = async (): Promise<string[]> =>
      [...(await offersOf("w1")), ...(await offersOf("w2"))].map((o) => o.jobId).sort();
    expect(await offered()).toEqual(["j1", "j2"]);

    // Neither a job nor a worker changes: only the policy does.
    await h.client.upsertDistributionPolicy("q1-dp", {
      name: "q1-dp",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 2 },
    });
    await afterAdminWrite();
    expect((await offersOf("w1")).map((o) => o.jobId).sort()).toEqual(["j1", "j2"]);
    expect((await offersOf("w2")).map((o) => o.jobId).sort()).toEqual(["j1", "j2"]);
  });

  it("equal priority and enqueue time: jobs are offered in the order they were created", async () => {
    await setupQueue(h);
    await addWorker(h, "w1", { available: false });
    // Same clock reading for both; the later-created job has the smaller id.
    await h.client.upsertJob("jb", { channelId: "chat", queueId: "q1" });
    await h.client.upsertJob("ja", { channelId: "chat", queueId: "q1" });
    await h.client.upsertJob("jb", { channelId: "chat", queueId: "q1", labels: { touched: true } });
    await h.runtime.idle();
    await addWorker(h, "w1");
    await h.runtime.idle();
    expect((await offersOf("w1")).map((o) => o.jobId)).toEqual(["jb"]);
  });
});
