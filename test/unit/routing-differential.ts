// Differential driver for the two hosts of the routing core (issue 23): one scenario (configuration, then a script of
// worker registrations, job arrivals, accepts, declines, completions and clock advances) is played
// (a) against the emulator over real HTTP (startEmulator on port 0, real HMAC, its runtime on a ManualClock) and
// (b) against the simulator's core, `routing/Router`, in virtual time on the simulator's own VirtualClock (timers fire
//     only inside `run`, as in jobrouter-simulate),
// and each side's events are reduced to the same per-job vocabulary so the two sequences can be compared job by job.
//
// The vocabulary is what the simulator hears: received, queued (queue, priority), offer issued / expired / declined /
// revoked (worker), assigned (worker), completed, cancelled, exception (rule id), classificationFailed. Left out:
// - RouterJobClassified (the simulator's `queued` carries the classification's outcome: queue and priority);
// - wrap-up: Router.completeJob completes and closes at once, so the `complete` step completes and closes the job on
//   the emulator side too.
// Worker events (registered, updated) are not per job and are not compared.
//
// A `mark` step writes `mark <name>` into the trace of every job seen so far, on both sides: traces are per job, so
// this is how a scenario pins an event after a point in its script ("offered only after the selector expired").
//
// The Router's transitions are synchronous and the matching they cause runs in the core's work queue: after every
// step the driver waits for `router.idle()`, as the emulator side waits for its runtime. A `false` answer fails the
// run, as an HTTP error does on the emulator side.

import { startEmulator } from "../../emulator";
import { eventName, type RouterEvent as EmulatorEvent } from "../../emulator/runtime";
import { JobRouterClient } from "../../provider/client";
import type { Labels, RouterChannel } from "../../provider/client/models";
import { ManualClock, Router, type JobInput, type RouterEvent, type RoutingConfig } from "../../routing";
import { VirtualClock } from "../../simulator";

export type Step =
  | {
      worker: string;
      queues: string[];
      capacity: number;
      channels: RouterChannel[];
      labels?: Labels;
      available?: boolean;
    }
  // A job arrives: the Router's own job input, its id named `job`.
  | ({ job: string } & Omit<JobInput, "id">)
  | { accept: string; by: string }
  | { decline: string; by: string; retryAfterMs?: number }
  | { complete: string }
  | { cancel: string }
  // Emulator: upsertWorker with availableForOffers false / true. Router: setWorkerAvailable.
  | { unavailable: string }
  | { available: string }
  | { mark: string }
  | { advanceMs: number };

export interface Scenario {
  config: RoutingConfig;
  steps: Step[];
  /** The weighted-allocation draw both machines get (uniform [0, 1)). */
  random?: () => number;
}

/** jobId -> its events, in order, each as one short line (`offer w1`, `queued q1 p5`). */
export type Trace = Record<string, string[]>;

function push(trace: Trace, jobId: string, line: string): void {
  (trace[jobId] ??= []).push(line);
}

function mark(trace: Trace, name: string): void {
  for (const events of Object.values(trace)) events.push(`mark ${name}`);
}

// ------------------------------------------------------------------ the emulator, over HTTP

function fromEmulator(e: EmulatorEvent, trace: Trace): void {
  const d = e.data;
  const jobId = typeof d.jobId === "string" ? d.jobId : undefined;
  if (jobId === undefined) return;
  const w = String(d.workerId);
  switch (eventName(e)) {
    case "RouterJobReceived":
      return push(trace, jobId, "received");
    case "RouterJobQueued":
      return push(trace, jobId, `queued ${String(d.queueId)} p${String(d.priority)}`);
    case "RouterJobClassificationFailed":
      return push(trace, jobId, "classificationFailed");
    case "RouterWorkerOfferIssued":
      return push(trace, jobId, `offer ${w}`);
    case "RouterWorkerOfferExpired":
      return push(trace, jobId, `expired ${w}`);
    case "RouterWorkerOfferDeclined":
      return push(trace, jobId, `declined ${w}`);
    case "RouterWorkerOfferRevoked":
      return push(trace, jobId, `revoked ${w}`);
    case "RouterWorkerOfferAccepted":
      return push(trace, jobId, `assigned ${w}`);
    case "RouterJobCompleted":
      return push(trace, jobId, "completed");
    case "RouterJobCancelled":
      return push(trace, jobId, "cancelled");
    case "RouterJobExceptionTriggered":
      return push(trace, jobId, `exception ${String(d.exceptionRuleId)}`);
    default:
      return;
  }
}

/** The REST body of a configuration object: everything but its id, which goes in the path. */
function withoutId<T extends { id: string }>(o: T): Omit<T, "id"> {
  const rest: Partial<T> = { ...o };
  delete rest.id;
  return rest as Omit<T, "id">;
}

export async function runOnEmulator(s: Scenario): Promise<Trace> {
  // Routing time is the manual clock's; it starts at real time because the HMAC check compares x-ms-date with the
  // emulator's real clock.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const emulator = await startEmulator({ runtime: { random: s.random ?? (() => 0), clock } });
  const trace: Trace = {};
  const off = emulator.runtime.events.subscribe((e) => fromEmulator(e, trace));
  try {
    const client = JobRouterClient.fromConnectionString(emulator.connectionString, { retryOptions: { maxRetries: 0 } });
    for (const p of s.config.distributionPolicies) await client.upsertDistributionPolicy(p.id, withoutId(p));
    for (const p of s.config.exceptionPolicies) await client.upsertExceptionPolicy(p.id, withoutId(p));
    for (const q of s.config.queues) await client.upsertQueue(q.id, withoutId(q));
    for (const p of s.config.classificationPolicies) await client.upsertClassificationPolicy(p.id, withoutId(p));
    const assignments = new Map<string, string>();
    const offerOf = async (workerId: string, jobId: string): Promise<string> => {
      const offer = ((await client.getWorker(workerId)).offers ?? []).find((o) => o.jobId === jobId);
      if (!offer) throw new Error(`emulator: worker ${workerId} holds no offer for job ${jobId}`);
      return offer.offerId;
    };
    for (const step of s.steps) {
      if ("worker" in step) {
        await client.upsertWorker(step.worker, {
          queues: step.queues,
          capacity: step.capacity,
          channels: step.channels,
          labels: step.labels ?? {},
          availableForOffers: step.available ?? true,
        });
      } else if ("job" in step) {
        const { job, ...body } = step;
        await client.upsertJob(job, body);
      } else if ("accept" in step) {
        const r = await client.acceptJobOffer(step.by, await offerOf(step.by, step.accept));
        assignments.set(step.accept, r.assignmentId);
      } else if ("decline" in step) {
        const offerId = await offerOf(step.by, step.decline);
        await client.declineJobOffer(
          step.by,
          offerId,
          step.retryAfterMs === undefined ? {} : { retryOfferAt: new Date(clock.now() + step.retryAfterMs) },
        );
      } else if ("complete" in step) {
        const a = assignments.get(step.complete);
        if (a === undefined) throw new Error(`emulator: job ${step.complete} was never accepted`);
        await client.completeJob(step.complete, a);
        await client.closeJob(step.complete, a);
      } else if ("cancel" in step) {
        await client.cancelJob(step.cancel);
      } else if ("unavailable" in step) {
        await client.upsertWorker(step.unavailable, { availableForOffers: false });
      } else if ("available" in step) {
        await client.upsertWorker(step.available, { availableForOffers: true });
      } else if ("mark" in step) {
        mark(trace, step.mark);
      } else {
        await clock.advance(step.advanceMs);
      }
      await emulator.runtime.idle();
    }
    return trace;
  } finally {
    off();
    await emulator.close();
  }
}

// ------------------------------------------------------------------ the simulator's core, in virtual time

function fromRouter(e: RouterEvent, trace: Trace): void {
  switch (e.kind) {
    case "queued":
      return push(trace, e.jobId, `queued ${e.queueId} p${e.priority}`);
    case "classificationFailed":
      return push(trace, e.jobId, "classificationFailed");
    case "offerIssued":
      return push(trace, e.jobId, `offer ${e.workerId}`);
    case "offerExpired":
      return push(trace, e.jobId, `expired ${e.workerId}`);
    case "offerDeclined":
      return push(trace, e.jobId, `declined ${e.workerId}`);
    case "offerRevoked":
      return push(trace, e.jobId, `revoked ${e.workerId}`);
    case "assigned":
      return push(trace, e.jobId, `assigned ${e.workerId}`);
    case "completed":
      return push(trace, e.jobId, "completed");
    case "cancelled":
      return push(trace, e.jobId, "cancelled");
    case "exceptionTriggered":
      return push(trace, e.jobId, `exception ${e.ruleId}`);
  }
}

/** The simulator's epoch (any fixed instant: only differences of time matter). */
const ROUTER_EPOCH_MS = Date.parse("2024-01-01T00:00:00.000Z");

export async function runOnRouter(s: Scenario): Promise<Trace> {
  const clock = new VirtualClock(ROUTER_EPOCH_MS);
  // Virtual time only moves inside run(), and ends at the last timer fired: a no-op timer at the target makes the
  // clock stand exactly there afterwards, as the emulator's manual clock does after advance().
  const advance = async (ms: number): Promise<void> => {
    const target = clock.now() + ms;
    clock.setTimer(target, () => undefined);
    await clock.run(target);
  };
  const trace: Trace = {};
  // Open offers by worker and job, from the events: what a worker answers is an offer, as over HTTP.
  const open = new Map<string, string>();
  const router = new Router({
    config: s.config,
    clock,
    random: s.random ?? (() => 0),
    onEvent: (e) => {
      fromRouter(e, trace);
      if (e.kind === "offerIssued") open.set(`${e.workerId}/${e.jobId}`, e.offerId);
      else if (e.kind !== "queued" && "workerId" in e) open.delete(`${e.workerId}/${e.jobId}`);
    },
  });
  const fail = (what: string): never => {
    throw new Error(`router: ${what}`);
  };
  const offerOf = (workerId: string, jobId: string): string =>
    open.get(`${workerId}/${jobId}`) ?? fail(`worker ${workerId} holds no offer for job ${jobId}`);
  for (const step of s.steps) {
    if ("worker" in step) {
      await router.addWorker({
        id: step.worker,
        queues: step.queues,
        capacity: step.capacity,
        channels: step.channels,
        labels: step.labels ?? {},
        available: step.available ?? true,
      });
    } else if ("job" in step) {
      // The Router has no received event: submitting is receiving.
      push(trace, step.job, "received");
      const { job, ...rest } = step;
      await router.submitJob({ id: job, ...rest });
    } else if ("accept" in step) {
      const offerId = offerOf(step.by, step.accept);
      const ok = await router.acceptOffer(offerId);
      if (!ok) fail(`offer ${offerId} could not be accepted`);
    } else if ("decline" in step) {
      const offerId = offerOf(step.by, step.decline);
      const retryAt = step.retryAfterMs === undefined ? undefined : clock.now() + step.retryAfterMs;
      const ok = await router.declineOffer(offerId, retryAt);
      if (!ok) fail(`offer ${offerId} could not be declined`);
    } else if ("complete" in step) {
      await router.completeJob(step.complete);
    } else if ("cancel" in step) {
      const ok = await router.cancelJob(step.cancel, "cancelled");
      if (!ok) fail(`job ${step.cancel} is not active`);
    } else if ("unavailable" in step) {
      await router.setWorkerAvailable(step.unavailable, false);
    } else if ("available" in step) {
      await router.setWorkerAvailable(step.available, true);
    } else if ("mark" in step) {
      mark(trace, step.mark);
    } else {
      await advance(step.advanceMs);
    }
    // As the emulator side waits for its runtime: the routing this step caused has run before the next step.
    await router.idle();
  }
  return trace;
}

/** The first job whose sequences differ, with the index and both events there (undefined when they agree). */
export function firstDifference(
  emulator: Trace,
  router: Trace,
): { jobId: string; index: number; emulator: string | undefined; router: string | undefined } | undefined {
  const jobs = [...new Set([...Object.keys(emulator), ...Object.keys(router)])].sort();
  for (const jobId of jobs) {
    const a = emulator[jobId] ?? [];
    const b = router[jobId] ?? [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) return { jobId, index: i, emulator: a[i], router: b[i] };
    }
  }
  return undefined;
}
