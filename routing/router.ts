// The simulator's driver of the routing core: the same state machine the emulator runs (routing/core), fed from a
// fixed configuration, with worker shifts, arrivals, answers and completions as method calls and what happened as
// a short event vocabulary. Nothing here decides routing: matching, offers, capacity, exceptions and
// reclassification are the core's.
//
// Transitions are synchronous (an accept is assigned when the call returns); the matching they cause runs in the
// core's work queue. Call `idle()` (or await submitJob, which does) before reading what routing did next; the
// simulator's virtual clock awaits it after each timer.
// Remote rules (function, webhook) are refused when a scenario is validated; the core's HTTP caller here refuses too.

import type {
  ClassificationPolicy,
  DistributionPolicy,
  ExceptionPolicy,
  Labels,
  RouterChannel,
  RouterJobAssignment,
  RouterQueue,
  RouterWorkerSelectorInput,
} from "../provider/client/models";
import type { Clock } from "./clock";
import type { ClassificationDeps } from "./classification";
import {
  ConfigIndex,
  type ClassificationPolicyObject,
  type DistributionPolicyObject,
  type ExceptionPolicyObject,
  type QueueObject,
  type RoutingConfig,
} from "./config";
import {
  RoutingCore,
  RoutingFailure,
  type JobBody,
  type JobState,
  type RoutingEvent,
  type RoutingPolicies,
  type WorkerState,
} from "./core";
import { RuleError } from "./rules";
import { materializeSelector } from "./selectors";

export type RouterEvent =
  | { kind: "queued"; jobId: string; queueId: string; priority: number }
  | { kind: "classificationFailed"; jobId: string; message: string }
  | { kind: "offerIssued"; jobId: string; workerId: string; offerId: string }
  | { kind: "offerExpired" | "offerRevoked" | "offerDeclined"; jobId: string; workerId: string; offerId: string }
  | { kind: "assigned"; jobId: string; workerId: string; queueId: string }
  | { kind: "completed"; jobId: string; workerId: string }
  | { kind: "cancelled"; jobId: string; queueId: string | undefined; reason: string }
  | { kind: "exceptionTriggered"; jobId: string; queueId: string; ruleId: string };

export interface JobInput {
  id: string;
  channelId: string;
  queueId?: string;
  classificationPolicyId?: string;
  labels?: Labels;
  priority?: number;
  requestedWorkerSelectors?: RouterWorkerSelectorInput[];
}

export interface WorkerInput {
  id: string;
  queues: string[];
  labels?: Labels;
  capacity: number;
  channels: RouterChannel[];
  available: boolean;
}

export interface RouterOptions {
  config: RoutingConfig;
  clock: Clock;
  /** Uniform [0, 1): weighted allocations. */
  random: () => number;
  onEvent?: (e: RouterEvent) => void;
}

const refuseHttp: ClassificationDeps["http"] = () =>
  Promise.reject(
    new RuleError("RemoteRuleUnsupported", "function and webhook rules need HTTP, which routing here has not"),
  );

function configPolicies(config: ConfigIndex): RoutingPolicies {
  // Built once: the core looks policies up on every matching pass. Stored objects carry an ETag; these have none.
  const byId = <T extends { id: string }, S>(list: Iterable<T>): Map<string, S> =>
    new Map([...list].map((o) => [o.id, { etag: "", ...o } as unknown as S]));
  const queues = byId<QueueObject, RouterQueue>(config.queueList);
  const distribution = byId<DistributionPolicyObject, DistributionPolicy>(config.distributionPolicies.values());
  const classification = byId<ClassificationPolicyObject, ClassificationPolicy>(config.classificationPolicies.values());
  const exception = byId<ExceptionPolicyObject, ExceptionPolicy>(config.exceptionPolicies.values());
  const forClassification = config.queueList.map((q) => ({ id: q.id, labels: q.labels ?? {} }));
  const get = <S>(m: Map<string, S>, id: string | undefined): S | undefined =>
    id === undefined ? undefined : m.get(id);
  return {
    queue: (id) => get(queues, id),
    distributionPolicy: (id) => get(distribution, id),
    classificationPolicy: (id) => get(classification, id),
    exceptionPolicy: (id) => get(exception, id),
    queuesForClassification: () => forClassification,
  };
}

/** The core's event in the simulator's vocabulary (undefined: not one the simulator counts). */
function simulatorEvent(e: RoutingEvent): RouterEvent | undefined {
  switch (e.name) {
    case "RouterJobQueued":
      return { kind: "queued", jobId: e.job.id, queueId: e.job.job.queueId ?? "", priority: e.job.job.priority ?? 1 };
    case "RouterJobClassificationFailed":
      return { kind: "classificationFailed", jobId: e.job.id, message: e.errors.map((x) => x.message).join("; ") };
    case "RouterWorkerOfferIssued":
      return { kind: "offerIssued", jobId: e.jobId, workerId: e.worker.id, offerId: e.offerId };
    case "RouterWorkerOfferExpired":
      return { kind: "offerExpired", jobId: e.jobId, workerId: e.worker.id, offerId: e.offerId };
    case "RouterWorkerOfferRevoked":
      return { kind: "offerRevoked", jobId: e.jobId, workerId: e.worker.id, offerId: e.offerId };
    case "RouterWorkerOfferDeclined":
      return { kind: "offerDeclined", jobId: e.jobId, workerId: e.worker.id, offerId: e.offerId };
    case "RouterWorkerOfferAccepted":
      return { kind: "assigned", jobId: e.jobId, workerId: e.worker.id, queueId: e.job?.job.queueId ?? "" };
    case "RouterJobCompleted":
      return { kind: "completed", jobId: e.job.id, workerId: e.workerId ?? "" };
    case "RouterJobCancelled":
      return {
        kind: "cancelled",
        jobId: e.job.id,
        queueId: e.job.job.queueId,
        reason: e.job.job.dispositionCode ?? "Cancelled",
      };
    case "RouterJobExceptionTriggered":
      return { kind: "exceptionTriggered", jobId: e.job.id, queueId: e.job.job.queueId ?? "", ruleId: e.ruleId };
    default:
      return undefined;
  }
}

export class Router {
  readonly config: ConfigIndex;
  private readonly core: RoutingCore;
  private readonly clock: Clock;
  /** Open offers: offer id -> worker id (an accept or decline names the offer only). */
  private readonly offerHolder = new Map<string, string>();
  /** The assignment each assigned job got (completeJob would otherwise search the job's assignments). */
  private readonly assignmentOf = new Map<string, string>();
  private idSeq = 0;

  constructor(o: RouterOptions) {
    this.config = new ConfigIndex(o.config);
    this.clock = o.clock;
    const onEvent = o.onEvent ?? (() => undefined);
    this.core = new RoutingCore({
      policies: configPolicies(this.config),
      clock: o.clock,
      http: refuseHttp,
      random: o.random,
      // Deterministic ids: a seeded simulation repeats exactly.
      newId: () => `offer-${++this.idSeq}`,
      jobWritten: () => undefined,
      workerWritten: () => undefined,
      jobDeleted: () => undefined,
      workerDeleted: () => undefined,
      event: (e) => {
        if (e.name === "RouterWorkerOfferIssued") this.offerHolder.set(e.offerId, e.worker.id);
        else if ("offerId" in e) {
          this.offerHolder.delete(e.offerId);
          if (e.name === "RouterWorkerOfferAccepted") this.assignmentOf.set(e.jobId, e.assignmentId);
        }
        const out = simulatorEvent(e);
        if (out) onEvent(out);
      },
      log: () => undefined,
    });
  }

  /** Resolves when the routing caused so far (matching, classification) has run. */
  idle(): Promise<void> {
    return this.core.idle();
  }

  // ------------------------------------------------------------------ workers

  addWorker(input: WorkerInput): void {
    if (this.core.workers.has(input.id)) throw new Error(`worker ${input.id} exists already`);
    const w: WorkerState = {
      id: input.id,
      worker: {
        state: "inactive",
        queues: [...input.queues],
        capacity: input.capacity,
        // The service adds the `Id` label to every worker.
        labels: { ...(input.labels ?? {}), Id: input.id },
        tags: {},
        channels: input.channels,
        offers: [],
        assignedJobs: [],
        loadRatio: 0,
        availableForOffers: input.available,
      },
      idleSinceMs: this.clock.now(),
      declines: {},
    };
    this.core.addWorker(w);
    this.core.afterWorkerUpsert(w, undefined, true);
  }

  /** A worker going off shift keeps its assignments (draining) but loses its outstanding offers. */
  setWorkerAvailable(workerId: string, available: boolean): void {
    const w = this.core.workers.get(workerId);
    if (!w || w.worker.availableForOffers === available) return;
    const before = { ...w.worker };
    w.worker = { ...w.worker, availableForOffers: available };
    this.core.writeWorker(w);
    this.core.afterWorkerUpsert(w, before, false);
  }

  // ------------------------------------------------------------------ jobs

  async submitJob(input: JobInput): Promise<void> {
    if (this.core.jobs.has(input.id)) throw new Error(`job ${input.id} exists already`);
    const now = this.clock.now();
    const body: JobBody = {
      channelId: input.channelId,
      priority: input.priority ?? 1,
      requestedWorkerSelectors: (input.requestedWorkerSelectors ?? []).map((s) => materializeSelector(s, now)),
      attachedWorkerSelectors: [],
      labels: input.labels ?? {},
      assignments: {},
      tags: {},
      notes: [],
      matchingMode: { kind: "queueAndMatch" },
    };
    if (input.queueId !== undefined) body.queueId = input.queueId;
    if (input.classificationPolicyId !== undefined) body.classificationPolicyId = input.classificationPolicyId;
    body.status = this.core.initialStatus(body);
    const j: JobState = { id: input.id, job: body, firedRules: [], unassignmentCount: 0 };
    this.core.addJob(j);
    this.core.startNewJob(j);
    await this.core.idle();
  }

  /** Cancel a job still waiting (abandonment); a job already assigned or finished is left alone (false). */
  cancelJob(jobId: string, reason: string): boolean {
    const j = this.core.jobs.get(jobId);
    const s = j?.job.status;
    if (!j || (s !== "queued" && s !== "pendingClassification" && s !== "created")) return false;
    this.core.cancelJob(j, { dispositionCode: reason });
    return true;
  }

  /** The worker is done with the job: completed and closed at once (no wrap-up), its capacity free again. */
  completeJob(jobId: string): void {
    const j = this.core.jobs.get(jobId);
    if (!j || j.job.status !== "assigned") return;
    let a: RouterJobAssignment | undefined;
    const assignments = j.job.assignments ?? {};
    const known = this.assignmentOf.get(jobId);
    if (known !== undefined) {
      this.assignmentOf.delete(jobId);
      const x = assignments[known];
      if (x !== undefined && x.completedAt === undefined) a = x;
    }
    // The first not completed, in the job's order (the one remembered, unless something else completed it).
    if (a === undefined) {
      for (const id in assignments) {
        const x = assignments[id];
        if (x !== undefined && x.completedAt === undefined) {
          a = x;
          break;
        }
      }
    }
    if (!a) return;
    this.core.completeJob(j, a.assignmentId, undefined);
    this.core.closeJob(j, a.assignmentId, {});
    // A finished job is of no further use to a simulation; keeping 100,000 of them costs memory.
    this.core.deleteJob(j);
  }

  // ------------------------------------------------------------------ offers

  /**
   * Accept one offer, by its id. An offer that expired, was declined or revoked is gone: accepting it does nothing and
   * returns false, even when the same job has since been offered to the same worker again under a new id.
   */
  acceptOffer(offerId: string): boolean {
    return this.answer(offerId, (w) => void this.core.acceptOffer(w, offerId));
  }

  /** Decline one offer, by its id (false when no longer open). Without `retryAtMs` the worker never gets the job again. */
  declineOffer(offerId: string, retryAtMs?: number): boolean {
    return this.answer(offerId, (w) => this.core.declineOffer(w, offerId, retryAtMs));
  }

  private answer(offerId: string, act: (w: WorkerState) => void): boolean {
    const w = this.core.workers.get(this.offerHolder.get(offerId) ?? "");
    if (!w) return false;
    try {
      act(w);
      return true;
    } catch (err) {
      if (err instanceof RoutingFailure) return false;
      throw err;
    }
  }

  // ------------------------------------------------------------------ inspection

  queueLength(queueId: string): number {
    this.core.index.absorb();
    return this.core.index.queued(queueId)?.size ?? 0;
  }

  jobStatus(jobId: string): JobBody["status"] | undefined {
    return this.core.jobs.get(jobId)?.job.status;
  }
}
