// The seed's job walkthrough, on a Job Router configuration something else deployed (`npm start`'s root program,
// or the Python program of test/e2e/native-provider.test.ts): submit a job with a worker selector through the
// deployed classification policy → register a matching worker → receive the offer (as a RouterWorkerOfferIssued
// event and by reading the worker) → accept → complete → close; then close a second job with `closeAt` and see
// the worker's capacity come back only at that time. It removes its own jobs and worker at the end, never the
// configuration. It needs the emulator in this process: the events come from its feed.

import { randomBytes } from "node:crypto";
import { eventName, type RouterEvent, type RouterEventName, type RunningEmulator } from "../emulator";
import type { JobRouterClient, RouterJob } from "../provider/client";

export interface WalkthroughOptions {
  /** The emulator the configuration is on. */
  emulator: RunningEmulator;
  /** A client of that emulator (over https, one that trusts its certificate). */
  client: JobRouterClient;
  /** The queue the classification policy sends the job to. */
  queueId: string;
  classificationPolicyId: string;
  /** How far in the future the second job's `closeAt` is; default 2000 ms. */
  closeAtDelayMs?: number;
  log: (line: string) => void;
}

export interface WalkthroughJob {
  id: string;
  assignmentId: string;
  offerId: string;
  statuses: string[];
}

export interface WalkthroughResult {
  jobs: WalkthroughJob[];
  /** The offer as the event announced it and as the worker read showed it. */
  offerFromEvent: string;
  offerFromWorker: string;
  /** When the second job's close was requested for, and when the RouterJobClosed event came. */
  closeAt: string;
  closedEventTime: string;
  /** Every routing event of the walkthrough, in order. */
  events: RouterEventName[];
  /** The walkthrough's worker (deleted at the end). */
  workerId: string;
}

/** Runs one named step; a failure says which step failed and why. */
export async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`step "${name}" failed: ${why}`, { cause: err });
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Wait for an event the feed has seen or will see; a run that never gets it fails by the caller's timeout. */
function waitForEvent(
  emulator: RunningEmulator,
  name: RouterEventName,
  match: (e: RouterEvent) => boolean,
): Promise<RouterEvent> {
  return emulator.runtime.events.waitFor((e) => eventName(e) === name && match(e));
}

export async function runWalkthrough(options: WalkthroughOptions): Promise<WalkthroughResult> {
  const { emulator, client, queueId, classificationPolicyId, log } = options;
  const eventStart = emulator.runtime.events.events().length;
  // Fresh ids each run: a run that failed half-way may have left its job or worker behind.
  const run = randomBytes(3).toString("hex");
  const workerId = `walkthrough-agent-${run}`;
  const jobIds = [`walkthrough-${run}-1`, `walkthrough-${run}-2`];
  const jobs: WalkthroughJob[] = [];

  // 1. A job with a worker selector, classified by the deployed classification policy.
  const submit = (id: string): Promise<RouterJob> =>
    step(`submit job ${id}`, async () => {
      const created = await client.upsertJob(id, {
        channelId: "voice",
        classificationPolicyId,
        labels: { vip: true, language: "en" },
        requestedWorkerSelectors: [{ key: "language", labelOperator: "equal", value: "en" }],
      });
      const job = await client.getJob(id);
      log(`job ${id}: ${created.value.status} → ${job.status} in ${job.queueId} at priority ${job.priority}`);
      if (job.status !== "queued" || job.queueId !== queueId) {
        throw new Error(`job ${id} is ${job.status} in ${job.queueId}, expected queued in ${queueId}`);
      }
      return job;
    });
  const [firstId, secondId] = jobIds as [string, string];
  const first = await submit(firstId);

  // 2. A matching worker.
  const offerEvent = waitForEvent(
    emulator,
    "RouterWorkerOfferIssued",
    (e) => e.data["workerId"] === workerId && e.data["jobId"] === first.id,
  );
  await step(`register worker ${workerId}`, () =>
    client.upsertWorker(workerId, {
      queues: [queueId],
      capacity: 1,
      labels: { language: "en" },
      channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
      availableForOffers: true,
    }),
  );
  log(`worker ${workerId}: registered for ${queueId}`);

  // 3. The offer, as an event and by reading the worker.
  const { offerFromEvent, offer } = await step("receive the offer", async () => {
    const issued = await withTimeout(offerEvent, 30_000, "no RouterWorkerOfferIssued event within 30 s");
    const fromEvent = String(issued.data["offerId"]);
    const worker = await client.getWorker(workerId);
    const found = worker.offers?.find((o) => o.jobId === first.id);
    if (!found) throw new Error(`worker ${workerId} shows no offer for ${first.id}`);
    if (found.offerId !== fromEvent) {
      throw new Error(`the event's offer ${fromEvent} is not the worker's offer ${found.offerId}`);
    }
    return { offerFromEvent: fromEvent, offer: found };
  });
  log(`offer ${offer.offerId}: event and worker read agree`);

  // 4–6. Accept, complete, close.
  const walk = (job: RouterJob, offerId: string, closeAt?: Date): Promise<WalkthroughJob> =>
    step(`accept, complete and close job ${job.id}`, async () => {
      const statuses: string[] = [];
      const accepted = await client.acceptJobOffer(workerId, offerId);
      statuses.push((await client.getJob(job.id)).status ?? "");
      await client.completeJob(job.id, accepted.assignmentId, { note: "resolved on the first call" });
      statuses.push((await client.getJob(job.id)).status ?? "");
      await client.closeJob(
        job.id,
        accepted.assignmentId,
        closeAt ? { dispositionCode: "Resolved", closeAt } : { dispositionCode: "Resolved" },
      );
      statuses.push((await client.getJob(job.id)).status ?? "");
      log(`job ${job.id}: ${statuses.join(" → ")}${closeAt ? ` (closing at ${closeAt.toISOString()})` : ""}`);
      return { id: job.id, assignmentId: accepted.assignmentId, offerId, statuses };
    });
  jobs.push(await walk(first, offer.offerId));

  // 7. A second job, closed with closeAt: the worker's capacity comes back only at that time.
  const secondOffer = waitForEvent(emulator, "RouterWorkerOfferIssued", (e) => e.data["jobId"] === secondId);
  const second = await submit(secondId);
  const secondOfferId = await step(`receive the offer for ${secondId}`, async () =>
    String((await withTimeout(secondOffer, 30_000, "no offer within 30 s")).data["offerId"]),
  );
  const closeAt = new Date(Date.now() + (options.closeAtDelayMs ?? 2000));
  const closedEvent = waitForEvent(emulator, "RouterJobClosed", (e) => e.data["jobId"] === second.id);
  const secondWalk = await walk(second, secondOfferId, closeAt);
  const closed = await step(`wait for ${secondId} to close at closeAt`, () =>
    withTimeout(closedEvent, 60_000, "no RouterJobClosed event within 60 s of closeAt"),
  );
  const final = await client.getJob(second.id);
  secondWalk.statuses.push(final.status ?? "");
  jobs.push(secondWalk);
  log(
    `job ${second.id}: RouterJobClosed at ${closed.eventTime}; now ${final.status}; worker load ${(await client.getWorker(workerId)).loadRatio}`,
  );

  const events = emulator.runtime.events.events().slice(eventStart).map(eventName);
  log(`events: ${events.join(", ")}`);
  for (const j of jobs) log(`final status: job ${j.id} ${(await client.getJob(j.id)).status}`);

  // Remove what the walkthrough added (a worker listing a queue blocks deleting that queue); the configuration
  // that was deployed stays as it was.
  await step("clean up the walkthrough's worker and jobs", async () => {
    await client.upsertWorker(workerId, { availableForOffers: false });
    await client.deleteWorker(workerId);
    for (const j of jobs) await client.deleteJob(j.id);
  });

  return {
    jobs,
    offerFromEvent,
    offerFromWorker: offer.offerId,
    closeAt: closeAt.toISOString(),
    closedEventTime: closed.eventTime,
    events,
    workerId,
  };
}
