// The runtime half of the client (jobs, workers, offers, queue position and statistics) against the real
// emulator on port 0: the job-routing walkthrough end to end, plus the runtime's refusals. The emulator's
// routing clock is a ManualClock so `closeAt` and `retryOfferAt` can be reached without waiting.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ManualClock } from "../../routing/clock";
import { JobRouterClient, JobRouterError, type RouterJob } from "../../provider/client";

const FAST = { retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 } };

let emu: RunningEmulator;
let clock: ManualClock;
let client: JobRouterClient;

async function caught(p: Promise<unknown>): Promise<JobRouterError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof JobRouterError)) throw new Error(`expected a JobRouterError, got ${String(e)}`);
  return e;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function offersOf(workerId: string): Promise<Array<{ offerId: string; jobId: string }>> {
  return (await client.getWorker(workerId)).offers ?? [];
}

beforeAll(async () => {
  clock = new ManualClock(Date.now());
  emu = await startEmulator({ port: 0, runtime: { clock } });
  client = JobRouterClient.fromConnectionString(emu.connectionString, FAST);
  await client.upsertDistributionPolicy("dp", {
    offerExpiresAfterSeconds: 3600,
    mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
  });
  await client.upsertQueue("q", { distributionPolicyId: "dp", labels: { region: "eu" } });
  await client.upsertClassificationPolicy("cp", {
    fallbackQueueId: "q",
    prioritizationRule: { kind: "static", value: 5 },
  });
});
afterAll(async () => {
  await emu.close();
});

describe("the walkthrough: job → offer → accept → complete → close", () => {
  let assignmentId = "";

  it("registers a worker (201) and submits a job that gets classified, queued and offered", async () => {
    const w = await client.upsertWorker("w1", {
      capacity: 10,
      queues: ["q"],
      channels: [{ channelId: "voice", capacityCostPerJob: 10 }],
      labels: { english: true },
      availableForOffers: true,
    });
    expect(w.created).toBe(true);
    expect(w.etag).toMatch(/^".+"$/);

    const j = await client.upsertJob("j1", {
      channelId: "voice",
      classificationPolicyId: "cp",
      labels: { lang: "en" },
    });
    expect(j.created).toBe(true);

    const job = await client.getJob("j1");
    expect(job.queueId).toBe("q");
    expect(job.priority).toBe(5);
    const offers = await offersOf("w1");
    expect(offers.map((o) => o.jobId)).toEqual(["j1"]);
    expect((await client.getWorker("w1")).state).toBe("active");
  });

  it("accepts the offer", async () => {
    const [offer] = await offersOf("w1");
    if (!offer) throw new Error("no offer");
    const accepted = await client.acceptJobOffer("w1", offer.offerId);
    expect(accepted).toMatchObject({ jobId: "j1", workerId: "w1" });
    assignmentId = accepted.assignmentId;
    const job = await client.getJob("j1");
    expect(job.status).toBe("assigned");
    expect(job.assignments?.[assignmentId]?.workerId).toBe("w1");

    // The same offer cannot be accepted twice.
    const again = await caught(client.acceptJobOffer("w1", offer.offerId));
    expect([404, 409]).toContain(again.statusCode);
  });

  it("completes, then closes at a future time (closeAt)", async () => {
    await client.completeJob("j1", assignmentId, { note: "resolved on first call" });
    expect((await client.getJob("j1")).status).toBe("completed");

    const closeAt = new Date(clock.now() + 60_000);
    await client.closeJob("j1", assignmentId, { dispositionCode: "Resolved", closeAt });
    const sent = emu.requests.filter((r) => r.path.endsWith(":close")).at(-1);
    expect(sent?.body).toEqual({ dispositionCode: "Resolved", closeAt: closeAt.toISOString() });
    expect((await client.getJob("j1")).status).toBe("completed");
    await clock.advance(61_000);
    const closed = await client.getJob("j1");
    expect(closed.status).toBe("closed");
    expect(closed.dispositionCode).toBe("Resolved");
  });

  it("lists jobs with filters and deletes the closed job", async () => {
    const closed = await collect(client.listJobs({ status: "closed", queueId: "q" }));
    expect(closed.map((j) => j.id)).toEqual(["j1"]);
    expect(await collect(client.listJobs({ status: "queued" }))).toEqual([]);
    expect(await client.deleteJob("j1")).toBe(true);
    expect(await client.tryGetJob("j1")).toBeUndefined();
  });
});

describe("queue position, statistics, reclassify, cancel, decline, unassign", () => {
  beforeAll(async () => {
    // Deregister so jobs wait in the queue.
    await client.upsertWorker("w1", { availableForOffers: false });
  });

  it("reports position and statistics for waiting jobs", async () => {
    // j2 comes through the classification policy (priority 5), so it can be reclassified later.
    await client.upsertJob("j2", { channelId: "voice", classificationPolicyId: "cp" });
    await client.upsertJob("j3", { channelId: "voice", queueId: "q", priority: 1 });
    const pos = await client.getQueuePosition("j3");
    expect(pos).toMatchObject({ jobId: "j3", queueId: "q", position: 2, queueLength: 2 });
    const stats = await client.getQueueStatistics("q");
    expect(stats).toMatchObject({ queueId: "q", length: 2 });
    const queued = await collect(
      client.listJobs({ status: "queued", queueId: "q", channelId: "voice", maxPageSize: 1 }),
    );
    expect(queued.map((j) => j.id).sort()).toEqual(["j2", "j3"]);
    // Two pages were fetched for two jobs at maxpagesize=1.
    const lists = emu.requests.filter((r) => r.method === "GET" && r.path === "/routing/jobs");
    expect(lists.length).toBeGreaterThanOrEqual(2);
  });

  it("reclassifies and cancels", async () => {
    await client.reclassifyJob("j2");
    expect((await client.getJob("j2")).status).toBe("queued");
    await client.cancelJob("j3", { note: "caller hung up", dispositionCode: "Abandoned" });
    const j3: RouterJob = await client.getJob("j3");
    expect(j3.status).toBe("cancelled");
    expect(j3.dispositionCode).toBe("Abandoned");
    expect((await client.getQueueStatistics("q")).length).toBe(1);
  });

  it("declines with retryOfferAt, and the job is offered again after that time", async () => {
    await client.upsertWorker("w1", { availableForOffers: true });
    const [offer] = await offersOf("w1");
    if (!offer) throw new Error("no offer after re-registration");
    expect(offer.jobId).toBe("j2");
    await client.declineJobOffer("w1", offer.offerId, { retryOfferAt: new Date(clock.now() + 30_000) });
    expect(await offersOf("w1")).toEqual([]);
    await clock.advance(31_000);
    const again = await offersOf("w1");
    expect(again.map((o) => o.jobId)).toEqual(["j2"]);
  });

  it("unassigns an accepted job", async () => {
    const [offer] = await offersOf("w1");
    if (!offer) throw new Error("no offer");
    const { assignmentId } = await client.acceptJobOffer("w1", offer.offerId);
    const res = await client.unassignJob("j2", assignmentId, { suspendMatching: true });
    expect(res).toEqual({ jobId: "j2", unassignmentCount: 1 });
    const job = await client.getJob("j2");
    expect(job.status).not.toBe("assigned");
  });

  it("lists workers with filters", async () => {
    await client.upsertWorker("w2", {
      capacity: 5,
      queues: ["q"],
      channels: [{ channelId: "chat", capacityCostPerJob: 5 }],
    });
    const active = await collect(client.listWorkers({ state: "active" }));
    expect(active.map((w) => w.id)).toEqual(["w1"]);
    const chat = await collect(client.listWorkers({ channelId: "chat", state: "all" }));
    expect(chat.map((w) => w.id)).toEqual(["w2"]);
    const all = await collect(client.listWorkers({ queueId: "q", maxPageSize: 1 }));
    expect(all.map((w) => w.id).sort()).toEqual(["w1", "w2"]);
    const withCapacity = await collect(client.listWorkers({ hasCapacity: true, channelId: "chat" }));
    expect(withCapacity.map((w) => w.id)).toEqual(["w2"]);
  });
});

describe("runtime refusals and conditional writes", () => {
  it("a stale If-Match on a worker gets 412", async () => {
    const w = await client.getWorker("w2");
    await client.upsertWorker("w2", { labels: { tier: 1 } }, { ifMatch: w.etag });
    const err = await caught(client.upsertWorker("w2", { labels: { tier: 2 } }, { ifMatch: w.etag }));
    expect(err.statusCode).toBe(412);
    expect(err.message).toMatch(/ETag/);
    // Removing one label by merge patch keeps the others (and the server's Id label).
    const res = await client.upsertWorker("w2", { labels: { tier: null } });
    expect(res.value.labels).not.toHaveProperty("tier");
    expect(res.value.labels?.Id).toBe("w2");
  });

  it("a classification policy with an active job cannot be deleted (400)", async () => {
    await client.upsertWorker("w1", { availableForOffers: false });
    await client.upsertJob("j4", { channelId: "voice", classificationPolicyId: "cp" });
    const err = await caught(client.deleteClassificationPolicy("cp"));
    expect(err.statusCode).toBe(400);
    expect(err.allCodes()).toContain("ActiveJobWithClassificationPolicyExist");
  });

  it("a queue with active jobs and assigned workers cannot be deleted (409)", async () => {
    const err = await caught(client.deleteQueue("q"));
    expect(err).toMatchObject({ statusCode: 409, code: "Conflict" });
    expect(err.message).toContain("There is active job with this queue");
    expect(err.message).toContain("There is an assigned worker to this queue");
  });

  it("missing jobs and workers are 404s; tryGet maps them to undefined; deleting a missing worker is 204", async () => {
    expect((await caught(client.getJob("nope"))).statusCode).toBe(404);
    expect(await client.tryGetWorker("nope")).toBeUndefined();
    // The service answers 204 to a DELETE of a worker that does not exist (issue 22, fact 5).
    expect(await client.deleteWorker("nope")).toBe(true);
    expect((await caught(client.cancelJob("nope"))).statusCode).toBe(404);
  });

  it("cleans up in dependency order", async () => {
    for (const id of ["j2", "j3", "j4"]) {
      const j = await client.getJob(id);
      if (j.status !== "cancelled" && j.status !== "closed") await client.cancelJob(id);
      expect(await client.deleteJob(id)).toBe(true);
    }
    expect(await client.deleteWorker("w1")).toBe(true);
    expect(await client.deleteWorker("w2")).toBe(true);
    expect(await client.deleteClassificationPolicy("cp")).toBe(true);
    expect(await client.deleteQueue("q")).toBe(true);
    expect(await client.deleteDistributionPolicy("dp")).toBe(true);
  });
});
