// The routing state machine: jobs, workers and offers over a Clock, with no HTTP and no store. Whoever drives it
// (the simulator's virtual clock, a test's manual clock) calls submitJob / acceptOffer(offerId) / declineOffer(offerId) / completeJob /
// cancelJob / setWorkerAvailable and hears what happened through `onEvent`.
//
// The rules are the emulator's, from the same pure modules (classification, selectors, distribution, exceptions):
// - A job is classified (if it names a classification policy), queued, checked against its queue's queueLength
//   exception rules, and offered to the workers its queue's distribution policy picks.
// - When a worker gets capacity back, its queues are visited in id order and each queue's jobs in service order
//   (expedite, priority, enqueue time); the first job the worker can take is matched (the emulator's matchAll pass,
//   seen from one worker).
// - Offers hold capacity until accepted, declined, expired or revoked. An accepted offer revokes the job's others.
// - waitTime exception rules fire once per stay in a queue; reclassify re-runs classification, manualReclassify
//   re-queues, cancel ends the job.
// Remote rules (function, webhook) are refused before a router is built: they would need HTTP.

import type {
  DistributionMode,
  ExceptionAction,
  ExceptionPolicy,
  Labels,
  RouterRule,
  RouterWorkerSelector,
  RouterWorkerSelectorInput,
  RouterChannel,
} from "../provider/client/models";
import type { Clock, TimerHandle } from "./clock";
import { classify, type ClassificationDeps } from "./classification";
import {
  capacityCostFor,
  eligibleWorkers,
  firstLongestIdle,
  offersToIssue,
  orderLongestIdle,
  orderRoundRobin,
  defaultScore,
  type CandidateWorker,
  type EligibleWorker,
  type MatchableJob,
  type WorkerUsage,
} from "./distribution";
import {
  effectiveActions,
  queueLengthRulesFired,
  upsertLabels,
  waitTimeSchedule,
  type ExceptionRuleLike,
} from "./exceptions";
import { evaluate } from "./expression";
import { RuleError, toScore } from "./rules";
import { matchesAll, materializeSelector } from "./selectors";
import { ConfigIndex, type RoutingConfig } from "./config";
import { WaitingList, type WaitingEntry } from "./waiting";

export type JobOutcome = "assigned" | "completed" | "cancelled" | "classificationFailed";

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

interface Selector {
  s: RouterWorkerSelector;
  expiresAtMs: number | undefined;
}

interface Job extends WaitingEntry {
  channelId: string;
  queueId: string | undefined;
  classificationPolicyId: string | undefined;
  labels: Labels;
  requested: Selector[];
  attached: Selector[];
  /** Requested + attached selectors not yet expired, kept current by the expiry timer. */
  active: RouterWorkerSelector[];
  status: "pendingClassification" | "queued" | "assigned" | "completed" | "cancelled" | "classificationFailed";
  /** workerId -> offerId */
  offers: Map<string, string>;
  /** Exception rule ids fired in the current stay. */
  fired: Set<string>;
  /** Which stay in a queue (timers of an earlier stay are ignored). */
  stay: number;
  timers: TimerHandle[];
  assignedTo: string | undefined;
}

interface Worker extends CandidateWorker {
  usage: WorkerUsage[];
  declinedUntil: Map<string, number>;
  /** offerId -> timer */
  offerTimers: Map<string, TimerHandle>;
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

export class Router {
  readonly config: ConfigIndex;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly onEvent: (e: RouterEvent) => void;
  private readonly jobs = new Map<string, Job>();
  private readonly workers = new Map<string, Worker>();
  /**
   * Per queue, the available workers with room for at least one more job on some channel: a job is matched against
   * these only (in a busy center most workers are full, and scanning them dominated the run time).
   */
  private readonly roomyByQueue = new Map<string, Set<Worker>>();
  private readonly waiting = new Map<string, WaitingList<Job>>();
  private readonly roundRobinCursor = new Map<string, string>();
  private readonly classificationDeps: ClassificationDeps;
  private seq = 0;
  private offerSeq = 0;
  /** Open offers by id: offers, not (worker, job) pairs, are what a worker accepts or declines. */
  private readonly offerIndex = new Map<string, { jobId: string; workerId: string }>();

  constructor(o: RouterOptions) {
    this.config = new ConfigIndex(o.config);
    this.clock = o.clock;
    this.random = o.random;
    this.onEvent = o.onEvent ?? (() => undefined);
    this.classificationDeps = { http: refuseHttp, random: this.random, now: () => this.clock.now() };
  }

  private now(): number {
    return this.clock.now();
  }

  // ------------------------------------------------------------------ workers

  addWorker(input: WorkerInput): void {
    if (this.workers.has(input.id)) throw new Error(`worker ${input.id} exists already`);
    const w: Worker = {
      id: input.id,
      labels: input.labels ?? {},
      queues: [...input.queues].sort(),
      capacity: input.capacity,
      channels: input.channels,
      available: false,
      usage: [],
      idleSinceMs: this.now(),
      declinedUntil: new Map(),
      offerTimers: new Map(),
    };
    this.workers.set(w.id, w);
    for (const q of w.queues) if (!this.roomyByQueue.has(q)) this.roomyByQueue.set(q, new Set());
    if (input.available) this.setWorkerAvailable(w.id, true);
  }

  /** A worker going off shift keeps its assignments but loses its outstanding offers. */
  setWorkerAvailable(workerId: string, available: boolean): void {
    const w = this.workers.get(workerId);
    if (!w || w.available === available) return;
    w.available = available;
    this.touch(w);
    if (available) {
      w.idleSinceMs = this.now();
      this.matchWorker(w);
      return;
    }
    const offered = w.usage.filter((u) => u.kind === "offer").map((u) => this.jobs.get(u.jobId));
    for (const j of offered) if (j) this.dropOffer(j, w, "offerRevoked");
    for (const j of offered) this.matchJob(j);
  }

  // ------------------------------------------------------------------ jobs

  async submitJob(input: JobInput): Promise<void> {
    if (this.jobs.has(input.id)) throw new Error(`job ${input.id} exists already`);
    const now = this.now();
    const requested = (input.requestedWorkerSelectors ?? []).map((s) => toSelector(materializeSelector(s, now), now));
    const j: Job = {
      id: input.id,
      channelId: input.channelId,
      queueId: input.queueId,
      classificationPolicyId: input.classificationPolicyId,
      labels: input.labels ?? {},
      priority: input.priority ?? 1,
      requested,
      attached: [],
      active: requested.map((x) => x.s),
      expedite: false,
      enqueuedAtMs: now,
      seq: this.seq++,
      status: "pendingClassification",
      offers: new Map(),
      fired: new Set(),
      stay: 0,
      timers: [],
      assignedTo: undefined,
    };
    this.jobs.set(j.id, j);
    if (j.classificationPolicyId !== undefined) await this.classifyAndQueue(j, input.priority);
    else await this.queueJob(j);
  }

  private async classifyAndQueue(j: Job, requestedPriority: number | undefined): Promise<void> {
    const policy = this.config.classificationPolicies.get(j.classificationPolicyId ?? "");
    if (!policy) {
      this.failClassification(j, `classification policy ${String(j.classificationPolicyId)} does not exist`);
      return;
    }
    const job: { labels: Labels; queueId?: string; priority?: number } = { labels: j.labels };
    if (j.queueId !== undefined) job.queueId = j.queueId;
    if (requestedPriority !== undefined) job.priority = requestedPriority;
    const r = await classify(job, { ...policy, etag: "" }, this.config.queueList, this.classificationDeps);
    if (j.status !== "pendingClassification") return;
    if (!r.ok) {
      this.failClassification(j, r.errors.map((e) => e.message).join("; "));
      return;
    }
    if (!this.config.queues.has(r.queueId)) {
      this.failClassification(j, `queue ${r.queueId} does not exist`);
      return;
    }
    j.queueId = r.queueId;
    if (r.priority !== undefined) j.priority = r.priority;
    const now = this.now();
    j.attached = r.attachedWorkerSelectors.map((s) => toSelector(s, now));
    this.refreshSelectors(j);
    return this.queueJob(j);
  }

  private failClassification(j: Job, message: string): void {
    j.status = "classificationFailed";
    this.onEvent({ kind: "classificationFailed", jobId: j.id, message });
  }

  /** Returns a promise only when a queueLength rule reclassified the job (classification is asynchronous). */
  private queueJob(j: Job): Promise<void> | undefined {
    const queueId = j.queueId;
    if (queueId === undefined || !this.config.queues.has(queueId)) {
      this.failClassification(j, `queue ${String(queueId)} does not exist`);
      return undefined;
    }
    j.status = "queued";
    j.enqueuedAtMs = this.now();
    j.stay++;
    j.fired.clear();
    this.waitingList(queueId).insert(j);
    this.onEvent({ kind: "queued", jobId: j.id, queueId, priority: j.priority });
    this.armSelectorExpiry(j);
    // The exception helpers take the stored type; etag and action ids are not read by them.
    const policy = this.config.exceptionPolicyOf(queueId) as ExceptionPolicy | undefined;
    const stayNow = j.stay;
    if (policy) {
      const length = this.waitingList(queueId).length;
      for (const rule of queueLengthRulesFired(policy, length)) {
        if (j.status !== "queued" || j.queueId !== queueId || j.stay !== stayNow) return undefined;
        const r = this.fireException(j, rule);
        if (r) return r;
      }
      if (j.status !== "queued" || j.stay !== stayNow) return undefined;
      for (const { rule, atMs } of waitTimeSchedule(policy, j.enqueuedAtMs)) {
        const stay = j.stay;
        j.timers.push(
          this.clock.setTimer(atMs, () => {
            if (j.status !== "queued" || j.stay !== stay) return;
            return this.fireException(j, rule);
          }),
        );
      }
    }
    this.matchJob(j);
    return undefined;
  }

  private waitingList(queueId: string): WaitingList<Job> {
    let l = this.waiting.get(queueId);
    if (!l) this.waiting.set(queueId, (l = new WaitingList<Job>()));
    return l;
  }

  /** Take a queued job out of its queue: revoke its offers, stop its timers. */
  private leaveQueue(j: Job): Worker[] {
    if (j.queueId !== undefined) this.waiting.get(j.queueId)?.remove(j);
    for (const t of j.timers) this.clock.clearTimer(t);
    j.timers = [];
    const freed: Worker[] = [];
    for (const workerId of [...j.offers.keys()]) {
      const w = this.workers.get(workerId);
      if (w) {
        this.dropOffer(j, w, "offerRevoked");
        freed.push(w);
      }
    }
    return freed;
  }

  private fireException(j: Job, rule: ExceptionRuleLike): Promise<void> | undefined {
    if (j.fired.has(rule.id) || j.queueId === undefined) return undefined;
    j.fired.add(rule.id);
    this.onEvent({ kind: "exceptionTriggered", jobId: j.id, queueId: j.queueId, ruleId: rule.id });
    for (const action of effectiveActions(rule.actions)) {
      if (j.status !== "queued") break;
      const r = this.applyAction(j, action);
      if (r) return r;
    }
    return undefined;
  }

  private applyAction(j: Job, a: ExceptionAction): Promise<void> | undefined {
    switch (a.kind) {
      case "cancel":
        this.cancelJob(j.id, a.dispositionCode ?? "exception");
        return undefined;
      case "reclassify": {
        const freed = this.leaveQueue(j);
        if (a.classificationPolicyId) j.classificationPolicyId = a.classificationPolicyId;
        if (a.labelsToUpsert) j.labels = upsertLabels(j.labels, a.labelsToUpsert);
        for (const w of freed) this.matchWorker(w);
        if (!j.classificationPolicyId) {
          // Nothing to classify with: the job goes back to its queue with the new labels.
          return this.queueJob(j);
        }
        j.status = "pendingClassification";
        return this.classifyAndQueue(j, undefined);
      }
      case "manualReclassify": {
        const freed = this.leaveQueue(j);
        if (a.queueId) j.queueId = a.queueId;
        if (a.priority !== undefined) j.priority = a.priority;
        if (a.workerSelectors) {
          const now = this.now();
          j.attached = a.workerSelectors.map((s) => toSelector(materializeSelector(s, now), now));
          this.refreshSelectors(j);
        }
        for (const w of freed) this.matchWorker(w);
        return this.queueJob(j);
      }
    }
  }

  /** Cancel an active job (abandonment, an exception's cancel). A job already assigned is left alone. */
  cancelJob(jobId: string, reason: string): boolean {
    const j = this.jobs.get(jobId);
    if (!j || (j.status !== "queued" && j.status !== "pendingClassification")) return false;
    const freed = this.leaveQueue(j);
    j.status = "cancelled";
    this.onEvent({ kind: "cancelled", jobId, queueId: j.queueId, reason });
    for (const w of freed) this.matchWorker(w);
    return true;
  }

  completeJob(jobId: string): void {
    const j = this.jobs.get(jobId);
    if (!j || j.status !== "assigned" || j.assignedTo === undefined) return;
    const w = this.workers.get(j.assignedTo);
    j.status = "completed";
    this.onEvent({ kind: "completed", jobId, workerId: j.assignedTo });
    this.jobs.delete(jobId);
    if (!w) return;
    const i = w.usage.findIndex((u) => u.kind === "assignment" && u.jobId === jobId);
    if (i >= 0) w.usage.splice(i, 1);
    w.declinedUntil.delete(jobId);
    if (w.usage.length === 0) w.idleSinceMs = this.now();
    this.touch(w);
    this.matchWorker(w);
  }

  // ------------------------------------------------------------------ offers

  /**
   * Accept one offer, by its id. An offer that expired, was declined or revoked is gone: accepting it does nothing and
   * returns false, even when the same job has since been offered to the same worker again under a new id (a late
   * answer to an expired offer must not land on its successor).
   */
  acceptOffer(offerId: string): boolean {
    const o = this.openOffer(offerId);
    if (!o) return false;
    const { j, w } = o;
    this.clearOfferTimer(w, offerId);
    j.offers.delete(w.id);
    this.offerIndex.delete(offerId);
    const u = w.usage.find((x) => x.kind === "offer" && x.jobId === j.id);
    if (u) u.kind = "assignment";
    const freed = this.leaveQueue(j);
    j.status = "assigned";
    j.assignedTo = w.id;
    this.onEvent({ kind: "assigned", jobId: j.id, workerId: w.id, queueId: j.queueId as string });
    for (const other of freed) this.matchWorker(other);
    return true;
  }

  /**
   * Decline one offer, by its id; an offer no longer open is left alone (false). A decline without `retryAtMs` keeps
   * the job from this worker for good (the emulator's rule).
   */
  declineOffer(offerId: string, retryAtMs?: number): boolean {
    const o = this.openOffer(offerId);
    if (!o) return false;
    const { j, w } = o;
    w.declinedUntil.set(j.id, retryAtMs ?? Infinity);
    this.dropOffer(j, w, "offerDeclined");
    this.matchJob(j);
    this.matchWorker(w);
    return true;
  }

  /** The job and worker of an offer that is still open (queued job, offer not expired, declined or revoked). */
  private openOffer(offerId: string): { j: Job; w: Worker } | undefined {
    const ref = this.offerIndex.get(offerId);
    if (!ref) return undefined;
    const j = this.jobs.get(ref.jobId);
    const w = this.workers.get(ref.workerId);
    if (!j || !w || j.status !== "queued" || j.offers.get(w.id) !== offerId) return undefined;
    return { j, w };
  }

  private expireOffer(j: Job, w: Worker, offerId: string): void {
    if (j.offers.get(w.id) !== offerId) return;
    this.dropOffer(j, w, "offerExpired");
    this.matchJob(j);
    this.matchWorker(w);
  }

  private dropOffer(j: Job, w: Worker, kind: "offerExpired" | "offerRevoked" | "offerDeclined"): void {
    const offerId = j.offers.get(w.id);
    if (offerId === undefined) return;
    j.offers.delete(w.id);
    this.offerIndex.delete(offerId);
    this.clearOfferTimer(w, offerId);
    const i = w.usage.findIndex((u) => u.kind === "offer" && u.jobId === j.id);
    if (i >= 0) w.usage.splice(i, 1);
    if (w.usage.length === 0) w.idleSinceMs = Math.min(w.idleSinceMs, this.now());
    this.touch(w);
    this.onEvent({ kind, jobId: j.id, workerId: w.id, offerId });
  }

  private clearOfferTimer(w: Worker, offerId: string): void {
    const t = w.offerTimers.get(offerId);
    if (t) {
      this.clock.clearTimer(t);
      w.offerTimers.delete(offerId);
    }
  }

  private issueOffer(j: Job, e: EligibleWorker, offerExpiresAfterSeconds: number | undefined): void {
    const w = this.workers.get(e.worker.id) as Worker;
    const offerId = `offer-${++this.offerSeq}`;
    w.usage.push({ kind: "offer", jobId: j.id, channelId: j.channelId, capacityCost: e.capacityCost });
    this.touch(w);
    j.offers.set(w.id, offerId);
    this.offerIndex.set(offerId, { jobId: j.id, workerId: w.id });
    if (offerExpiresAfterSeconds !== undefined && offerExpiresAfterSeconds !== null) {
      w.offerTimers.set(
        offerId,
        this.clock.setTimer(this.now() + offerExpiresAfterSeconds * 1000, () => this.expireOffer(j, w, offerId)),
      );
    }
    this.onEvent({ kind: "offerIssued", jobId: j.id, workerId: w.id, offerId });
  }

  // ------------------------------------------------------------------ matching

  /** Offer one queued job to the workers its queue's distribution policy picks. */
  private matchJob(j: Job | undefined): void {
    if (!j || j.status !== "queued" || j.queueId === undefined) return;
    const dp = this.config.distributionPolicyOf(j.queueId);
    if (!dp?.mode) return; // a queue without a distribution policy distributes nothing
    const mode = dp.mode;
    const max = Math.max(1, mode.maxConcurrentOffers ?? 1);
    if (j.offers.size >= max) return;
    const roomy = this.roomyByQueue.get(j.queueId);
    if (!roomy || roomy.size === 0) return;
    const pool = [...roomy];
    const now = this.now();
    const job = this.matchable(j);
    const eligible = eligibleWorkers(job, pool, { bypassSelectors: mode.bypassSelectors ?? false, nowMs: now });
    const n = offersToIssue(mode, j.offers.size, eligible.length);
    if (n === 0) return;
    // One offer from longestIdle (the common case) needs only the first worker in that order, not a sort.
    const ordered =
      n === 1 && mode.kind === "longestIdle" ? firstLongestIdle(eligible, 1) : this.order(job, eligible, mode, dp.id);
    for (const e of ordered.slice(0, n)) {
      this.issueOffer(j, e, dp.offerExpiresAfterSeconds);
      if (mode.kind === "roundRobin") this.roundRobinCursor.set(dp.id, e.worker.id);
    }
  }

  /** A worker with capacity: visit its queues (id order) and their jobs (service order) until it is full. */
  private matchWorker(w: Worker): void {
    if (!w.available) return;
    const now = this.now();
    for (const queueId of w.queues) {
      const list = this.waiting.get(queueId);
      if (!list || list.length === 0) continue;
      const dp = this.config.distributionPolicyOf(queueId);
      if (!dp?.mode) continue;
      const bypass = dp.mode.bypassSelectors ?? false;
      const max = Math.max(1, dp.mode.maxConcurrentOffers ?? 1);
      // Issuing offers never reorders or shrinks a waiting list, so the list is read in place.
      for (const j of list.entries) {
        if (!this.hasRoom(w)) return;
        if (j.status !== "queued" || j.offers.size >= max) continue;
        if (!this.canTake(w, j, bypass, now)) continue;
        this.matchJob(j);
      }
    }
  }

  /** eligibleWorkers for one worker and one job, without allocating (it runs for every queued job a worker passes). */
  private canTake(w: Worker, j: Job, bypassSelectors: boolean, nowMs: number): boolean {
    if (j.offers.has(w.id) || w.usage.some((u) => u.jobId === j.id)) return false;
    const retryAt = w.declinedUntil.get(j.id);
    if (retryAt !== undefined && retryAt > nowMs) return false;
    if (capacityCostFor(w, j.channelId) === undefined) return false;
    return bypassSelectors || matchesAll(w.labels, j.active);
  }

  /** Keep the worker's membership of roomyByQueue in step with its availability and usage. */
  private touch(w: Worker): void {
    const roomy = this.hasRoom(w);
    for (const q of w.queues) {
      const set = this.roomyByQueue.get(q);
      if (!set) continue;
      if (roomy) set.add(w);
      else set.delete(w);
    }
  }

  /** Whether any of the worker's channels still fits a job (cheap pre-check before scanning queues). */
  private hasRoom(w: Worker): boolean {
    if (!w.available) return false;
    let used = 0;
    for (const u of w.usage) used += u.capacityCost;
    return w.channels.some((c) => used + c.capacityCostPerJob <= w.capacity);
  }

  private matchable(j: Job): MatchableJob {
    return { id: j.id, channelId: j.channelId, queueId: j.queueId, labels: j.labels, activeSelectors: j.active };
  }

  private order(
    job: MatchableJob,
    eligible: EligibleWorker[],
    mode: DistributionMode,
    policyId: string,
  ): EligibleWorker[] {
    switch (mode.kind) {
      case "longestIdle":
        return orderLongestIdle(eligible);
      case "roundRobin":
        return orderRoundRobin(eligible, this.roundRobinCursor.get(policyId));
      case "bestWorker": {
        const rule = mode.scoringRule;
        const descending = mode.scoringRuleOptions?.descendingOrder ?? true;
        const scored = eligible.map((e) => ({
          e,
          s: rule ? scoreSync(rule, job.labels, e.worker.labels) : defaultScore(job, e.worker),
        }));
        scored.sort((a, b) =>
          a.s !== b.s ? (descending ? b.s - a.s : a.s - b.s) : a.e.worker.id < b.e.worker.id ? -1 : 1,
        );
        return scored.map((x) => x.e);
      }
    }
  }

  // ------------------------------------------------------------------ worker selectors

  private refreshSelectors(j: Job): void {
    const now = this.now();
    const active: RouterWorkerSelector[] = [];
    let expedite = false;
    for (const x of [...j.requested, ...j.attached]) {
      if (x.expiresAtMs !== undefined && x.expiresAtMs <= now) continue;
      active.push(x.s);
      if (x.s.expedite === true) expedite = true;
    }
    j.active = active;
    j.expedite = expedite;
  }

  private armSelectorExpiry(j: Job): void {
    const now = this.now();
    let next: number | undefined;
    for (const x of [...j.requested, ...j.attached]) {
      if (x.expiresAtMs !== undefined && x.expiresAtMs > now && (next === undefined || x.expiresAtMs < next)) {
        next = x.expiresAtMs;
      }
    }
    if (next === undefined) return;
    const stay = j.stay;
    j.timers.push(
      this.clock.setTimer(next, () => {
        if (j.status !== "queued" || j.stay !== stay || j.queueId === undefined) return;
        // The job may move in service order (an expedite selector expired): take it out and put it back.
        const list = this.waitingList(j.queueId);
        list.remove(j);
        this.refreshSelectors(j);
        list.insert(j);
        this.armSelectorExpiry(j);
        this.matchJob(j);
      }),
    );
  }

  // ------------------------------------------------------------------ inspection

  queueLength(queueId: string): number {
    return this.waiting.get(queueId)?.length ?? 0;
  }

  jobStatus(jobId: string): Job["status"] | undefined {
    return this.jobs.get(jobId)?.status;
  }
}

function toSelector(s: RouterWorkerSelector, now: number): Selector {
  const expiresAtMs =
    s.expiresAfterSeconds !== undefined && s.expiresAfterSeconds !== null
      ? s.expiresAt
        ? Date.parse(s.expiresAt)
        : now + s.expiresAfterSeconds * 1000
      : undefined;
  return { s, expiresAtMs };
}

/** Best-worker scoring without HTTP: static and expression rules (remote rules are refused up front). */
function scoreSync(rule: RouterRule, job: Labels, worker: Labels): number {
  switch (rule.kind) {
    case "static":
      return toScore(rule.value ?? null, "scoringRule");
    case "expression":
      return toScore(evaluate(rule.expression, { job, worker }), "scoringRule");
    default:
      throw new RuleError("RemoteRuleUnsupported", `scoringRule of kind ${rule.kind} cannot be evaluated without HTTP`);
  }
}
