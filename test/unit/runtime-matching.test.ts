import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JobRouterError } from "../../provider/client";
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

describe("offers, accept, complete, close", () => {
  it("a queued job is offered to a matching worker: event and worker read agree", async () => {
    await setupQueue(h, { offerExpiresAfterSeconds: 30 });
    await h.client.upsertJob("j1", {
      channelId: "chat",
      queueId: "q1",
      requestedWorkerSelectors: [{ key: "Lang", labelOperator: "equal", value: "en" }],
    });
    await addWorker(h, "w-fr", { labels: { Lang: "fr" } });
    await addWorker(h, "w-en", { labels: { Lang: "en" } });
    const offers = await offersOf("w-en");
    expect(offers).toHaveLength(1);
    expect(offers[0]).toMatchObject({ jobId: "j1", capacityCost: 1 });
    expect(Date.parse(offers[0]?.expiresAt ?? "") - Date.parse(offers[0]?.offeredAt ?? "")).toBe(30_000);
    expect(await offersOf("w-fr")).toEqual([]);
    const issued = h.events("RouterWorkerOfferIssued");
    expect(issued).toHaveLength(1);
    expect(issued[0]?.subject).toBe("worker/w-en/job/j1/channel/chat");
    expect(issued[0]?.data).toMatchObject({
      workerId: "w-en",
      jobId: "j1",
      offerId: offers[0]?.offerId,
      queueId: "q1",
      channelId: "chat",
    });
  });

  it("accept assigns the job, records the assignment on both sides and raises the load ratio", async () => {
    await setupQueue(h);
    await addWorker(h, "w1", { capacity: 2 });
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    const [offer] = await offersOf("w1");
    const accepted = await h.client.acceptJobOffer("w1", offer?.offerId ?? "");
    expect(accepted).toMatchObject({ jobId: "j1", workerId: "w1" });
    const job = await h.client.getJob("j1");
    expect(job.status).toBe("assigned");
    expect(job.assignments?.[accepted.assignmentId]).toMatchObject({
      assignmentId: accepted.assignmentId,
      workerId: "w1",
    });
    const w = await h.client.getWorker("w1");
    expect(w.offers).toEqual([]);
    expect(w.assignedJobs).toEqual([
      expect.objectContaining({ assignmentId: accepted.assignmentId, jobId: "j1", capacityCost: 1 }),
    ]);
    expect(w.loadRatio).toBe(0.5);
    expect(h.names("RouterWorkerOfferAccepted")).toHaveLength(1);
  });

  it("complete then close releases capacity; the next job is then offered", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    await h.client.upsertJob("j2", { channelId: "chat", queueId: "q1" });
    const [o1] = await offersOf("w1");
    expect(o1?.jobId).toBe("j1");
    const a = await h.client.acceptJobOffer("w1", o1?.offerId ?? "");
    expect(await offersOf("w1")).toEqual([]); // capacity 1 is taken
    await h.client.completeJob("j1", a.assignmentId, { note: "done" });
    expect((await h.client.getJob("j1")).status).toBe("completed");
    expect(await offersOf("w1")).toEqual([]); // wrap-up still holds capacity
    await h.client.closeJob("j1", a.assignmentId, { dispositionCode: "Resolved" });
    const closed = await h.client.getJob("j1");
    expect(closed).toMatchObject({ status: "closed", dispositionCode: "Resolved" });
    expect(closed.notes?.map((n) => n.message)).toEqual(["done"]);
    expect(closed.assignments?.[a.assignmentId]?.closedAt).toBeDefined();
    expect((await offersOf("w1"))[0]?.jobId).toBe("j2");
    expect(h.names("RouterJobCompleted", "RouterJobClosed")).toEqual(["RouterJobCompleted", "RouterJobClosed"]);
  });

  it("close with closeAt releases capacity and raises JobClosed only at that time", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    await h.client.upsertJob("j2", { channelId: "chat", queueId: "q1" });
    const a = await h.client.acceptJobOffer("w1", (await offersOf("w1"))[0]?.offerId ?? "");
    await h.client.completeJob("j1", a.assignmentId);
    await h.client.closeJob("j1", a.assignmentId, { closeAt: new Date(h.clock.now() + 60_000) });
    expect((await h.client.getJob("j1")).status).toBe("completed");
    expect(h.names("RouterJobClosed")).toEqual([]);
    await h.advance(59_999);
    expect(await offersOf("w1")).toEqual([]);
    await h.advance(1);
    expect((await h.client.getJob("j1")).status).toBe("closed");
    expect(h.names("RouterJobClosed")).toHaveLength(1);
    expect((await offersOf("w1"))[0]?.jobId).toBe("j2");
  });

  it("accepting an offer of a job another worker took answers 409; a vanished offer 404", async () => {
    await setupQueue(h, { mode: { kind: "roundRobin", minConcurrentOffers: 1, maxConcurrentOffers: 2 } });
    await addWorker(h, "w1");
    await addWorker(h, "w2");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    const o1 = (await offersOf("w1"))[0];
    const o2 = (await offersOf("w2"))[0];
    expect(o1?.jobId).toBe("j1");
    expect(o2?.jobId).toBe("j1");
    await h.client.acceptJobOffer("w1", o1?.offerId ?? "");
    expect(await offersOf("w2")).toEqual([]); // revoked
    expect(h.events("RouterWorkerOfferRevoked")[0]?.data).toMatchObject({ workerId: "w2", offerId: o2?.offerId });
    const err = await h.client.acceptJobOffer("w2", o2?.offerId ?? "").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobRouterError);
    expect((err as JobRouterError).statusCode).toBe(404);
  });
});

describe("decline, expiry, revocation", () => {
  it("decline without retry time: never offered to that worker again", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    await h.client.declineJobOffer("w1", (await offersOf("w1"))[0]?.offerId ?? "");
    expect(await offersOf("w1")).toEqual([]);
    await h.advance(3_600_000);
    expect(await offersOf("w1")).toEqual([]);
    expect(h.names("RouterWorkerOfferDeclined")).toHaveLength(1);
  });

  it("decline with retryOfferAt: offered again at that time", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    await h.client.declineJobOffer("w1", (await offersOf("w1"))[0]?.offerId ?? "", {
      retryOfferAt: new Date(h.clock.now() + 10_000),
    });
    await h.advance(9_999);
    expect(await offersOf("w1")).toEqual([]);
    await h.advance(1);
    expect((await offersOf("w1"))[0]?.jobId).toBe("j1");
  });

  it("re-registering clears a decline", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    await h.client.declineJobOffer("w1", (await offersOf("w1"))[0]?.offerId ?? "");
    await h.client.upsertWorker("w1", { availableForOffers: false });
    await h.client.upsertWorker("w1", { availableForOffers: true });
    expect((await offersOf("w1"))[0]?.jobId).toBe("j1");
  });

  it("an offer expires after offerExpiresAfterSeconds and the job is offered to the next worker", async () => {
    await setupQueue(h, { offerExpiresAfterSeconds: 20, mode: { kind: "roundRobin" } });
    await addWorker(h, "w1");
    await addWorker(h, "w2");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    expect((await offersOf("w1"))[0]?.jobId).toBe("j1");
    await h.advance(20_000);
    expect(h.events("RouterWorkerOfferExpired")[0]?.data).toMatchObject({ workerId: "w1", jobId: "j1" });
    expect(await offersOf("w1")).toEqual([]);
    expect((await offersOf("w2"))[0]?.jobId).toBe("j1");
  });

  it("deregistering a worker revokes its offers and sets it inactive", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    expect(await offersOf("w1")).toHaveLength(1);
    const w = (await h.client.upsertWorker("w1", { availableForOffers: false })).value;
    expect(w.state).toBe("inactive");
    expect(w.offers).toEqual([]);
    expect(h.names("RouterWorkerOfferRevoked", "RouterWorkerDeregistered")).toEqual([
      "RouterWorkerOfferRevoked",
      "RouterWorkerDeregistered",
    ]);
  });

  it("a worker deregistered while holding an assignment drains, then goes inactive on close", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    const a = await h.client.acceptJobOffer("w1", (await offersOf("w1"))[0]?.offerId ?? "");
    expect((await h.client.upsertWorker("w1", { availableForOffers: false })).value.state).toBe("draining");
    await h.client.completeJob("j1", a.assignmentId);
    await h.client.closeJob("j1", a.assignmentId);
    expect((await h.client.getWorker("w1")).state).toBe("inactive");
  });
});

describe("distribution over HTTP", () => {
  it("longestIdle prefers the worker with the lower load ratio", async () => {
    await setupQueue(h);
    await addWorker(h, "busy", { capacity: 2 });
    await h.client.upsertJob("j0", { channelId: "chat", queueId: "q1" });
    await h.client.acceptJobOffer("busy", (await offersOf("busy"))[0]?.offerId ?? "");
    await addWorker(h, "idle", { capacity: 2 });
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    expect((await offersOf("idle"))[0]?.jobId).toBe("j1");
    expect(await offersOf("busy")).toEqual([]);
  });

  it("longestIdle breaks load-ratio ties by time available", async () => {
    await setupQueue(h);
    await addWorker(h, "b-early");
    await h.advance(5_000);
    await addWorker(h, "a-late");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    expect((await offersOf("b-early"))[0]?.jobId).toBe("j1");
  });

  it("roundRobin cycles through workers by id across jobs", async () => {
    await setupQueue(h, { mode: { kind: "roundRobin" } });
    for (const id of ["w3", "w1", "w2"]) await addWorker(h, id, { capacity: 5 });
    for (const j of ["j1", "j2", "j3", "j4"]) await h.client.upsertJob(j, { channelId: "chat", queueId: "q1" });
    const byWorker: Record<string, string[]> = {};
    for (const id of ["w1", "w2", "w3"]) byWorker[id] = (await offersOf(id)).map((o) => o.jobId);
    expect(byWorker).toEqual({ w1: ["j1", "j4"], w2: ["j2"], w3: ["j3"] });
  });

  it("bestWorker with an expression scoring rule offers to the highest score", async () => {
    await setupQueue(h, {
      mode: { kind: "bestWorker", scoringRule: { kind: "expression", expression: "worker.English" } },
    });
    await addWorker(h, "w7", { labels: { English: 7 } });
    await addWorker(h, "w10", { labels: { English: 10 } });
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    expect((await offersOf("w10"))[0]?.jobId).toBe("j1");
    expect(await offersOf("w7")).toEqual([]);
  });

  it("maxConcurrentOffers offers one job to several workers at once", async () => {
    await setupQueue(h, { mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 2 } });
    for (const id of ["w1", "w2", "w3"]) await addWorker(h, id);
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    const counts = await Promise.all(["w1", "w2", "w3"].map(async (id) => (await offersOf(id)).length));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it("minConcurrentOffers holds offers until enough workers are eligible", async () => {
    await setupQueue(h, { mode: { kind: "longestIdle", minConcurrentOffers: 2, maxConcurrentOffers: 2 } });
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    expect(await offersOf("w1")).toEqual([]);
    await addWorker(h, "w2");
    expect((await offersOf("w1")).length + (await offersOf("w2")).length).toBe(2);
  });

  it("bypassSelectors offers to workers that do not match the selectors", async () => {
    await setupQueue(h, { mode: { kind: "longestIdle", bypassSelectors: true } });
    await addWorker(h, "w1", { labels: { Lang: "fr" } });
    await h.client.upsertJob("j1", {
      channelId: "chat",
      queueId: "q1",
      requestedWorkerSelectors: [{ key: "Lang", labelOperator: "equal", value: "en" }],
    });
    expect((await offersOf("w1"))[0]?.jobId).toBe("j1");
  });

  it("per-channel cost and maxNumberOfJobs limit what a worker is offered", async () => {
    await setupQueue(h, { mode: { kind: "longestIdle", maxConcurrentOffers: 1 } });
    await addWorker(h, "w1", {
      capacity: 100,
      channels: [
        { channelId: "voice", capacityCostPerJob: 100 },
        { channelId: "chat", capacityCostPerJob: 30, maxNumberOfJobs: 2 },
      ],
    });
    for (const j of ["c1", "c2", "c3"]) await h.client.upsertJob(j, { channelId: "chat", queueId: "q1" });
    await h.client.upsertJob("v1", { channelId: "voice", queueId: "q1" });
    const offered = (await offersOf("w1")).map((o) => [o.jobId, o.capacityCost]);
    expect(offered).toEqual([
      ["c1", 30],
      ["c2", 30],
    ]);
  });

  it("a worker selector with expiry stops constraining matching once it expires", async () => {
    await setupQueue(h);
    await addWorker(h, "w-fr", { labels: { Lang: "fr" } });
    await h.client.upsertJob("j1", {
      channelId: "chat",
      queueId: "q1",
      requestedWorkerSelectors: [{ key: "Lang", labelOperator: "equal", value: "en", expiresAfterSeconds: 30 }],
    });
    expect(await offersOf("w-fr")).toEqual([]);
    const sel = (await h.client.getJob("j1")).requestedWorkerSelectors?.[0];
    expect(sel).toMatchObject({ status: "active", expiresAfterSeconds: 30 });
    await h.advance(30_000);
    const job = await h.client.getJob("j1");
    expect(job.requestedWorkerSelectors?.[0]?.status).toBe("expired");
    expect(h.names("RouterJobWorkerSelectorsExpired")).toHaveLength(1);
    expect((await offersOf("w-fr"))[0]?.jobId).toBe("j1");
  });
});

describe("unassign", () => {
  it("unassign puts the job back in the queue and frees the worker", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    const a = await h.client.acceptJobOffer("w1", (await offersOf("w1"))[0]?.offerId ?? "");
    const r = await h.client.unassignJob("j1", a.assignmentId);
    expect(r).toEqual({ jobId: "j1", unassignmentCount: 1 });
    expect((await h.client.getWorker("w1")).assignedJobs).toEqual([]);
    expect(h.names("RouterJobUnassigned")).toHaveLength(1);
    expect((await offersOf("w1"))[0]?.jobId).toBe("j1"); // re-queued and re-offered
  });

  it("unassign with suspendMatching leaves the job waiting for activation", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    const a = await h.client.acceptJobOffer("w1", (await offersOf("w1"))[0]?.offerId ?? "");
    await h.client.unassignJob("j1", a.assignmentId, { suspendMatching: true });
    expect((await h.client.getJob("j1")).status).toBe("waitingForActivation");
    expect(await offersOf("w1")).toEqual([]);
  });
});

describe("stale offers", () => {
  it("an offer is revoked when the worker leaves the queue", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    const offerId = (await offersOf("w1"))[0]?.offerId;
    await h.client.upsertWorker("w1", { queues: [] });
    expect(await offersOf("w1")).toEqual([]);
    expect(h.events("RouterWorkerOfferRevoked")[0]?.data).toMatchObject({ workerId: "w1", offerId });
  });

  it("an offer is revoked when the job's new selectors exclude the worker", async () => {
    await setupQueue(h);
    await addWorker(h, "w1", { labels: { Lang: "fr" } });
    await h.client.upsertJob("j1", { channelId: "chat", queueId: "q1" });
    expect(await offersOf("w1")).toHaveLength(1);
    await h.client.upsertJob("j1", {
      requestedWorkerSelectors: [{ key: "Lang", labelOperator: "equal", value: "en" }],
    });
    expect(await offersOf("w1")).toEqual([]);
  });
});

describe("restart with a file store", () => {
  it("jobs, workers and offers survive a restart, and the offer still expires on time", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { startEmulator } = await import("../../emulator");
    const { ManualClock } = await import("../../routing/clock");
    const { JobRouterClient } = await import("../../provider/client");
    const dir = mkdtempSync(join(tmpdir(), "jr-runtime-"));
    const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
    try {
      const accessKey = Buffer.from("restart-test-key").toString("base64");
      const first = await startEmulator({ dataDir: dir, accessKey, runtime: { clock } });
      const c1 = JobRouterClient.fromConnectionString(first.connectionString, { retryOptions: { maxRetries: 0 } });
      await c1.upsertDistributionPolicy("dp", { offerExpiresAfterSeconds: 30, mode: { kind: "longestIdle" } });
      await c1.upsertQueue("q1", { distributionPolicyId: "dp" });
      await c1.upsertWorker("w1", {
        queues: ["q1"],
        capacity: 1,
        channels: [{ channelId: "chat", capacityCostPerJob: 1 }],
        availableForOffers: true,
      });
      await c1.upsertJob("j1", { channelId: "chat", queueId: "q1" });
      const offerId = (await c1.getWorker("w1")).offers?.[0]?.offerId;
      expect(offerId).toBeDefined();
      await first.close();

      const second = await startEmulator({ dataDir: dir, accessKey, runtime: { clock } });
      try {
        const c2 = JobRouterClient.fromConnectionString(second.connectionString, { retryOptions: { maxRetries: 0 } });
        expect((await c2.getJob("j1")).status).toBe("queued");
        expect((await c2.getWorker("w1")).offers?.[0]?.offerId).toBe(offerId);
        await clock.advance(30_000);
        await second.runtime.idle();
        expect(second.runtime.events.events("RouterWorkerOfferExpired")[0]?.data).toMatchObject({ offerId });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
