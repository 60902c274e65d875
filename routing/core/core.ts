// The routing state machine: every transition of jobs, workers and offers, once, for every host. The emulator runs it
// behind its REST API and store, the simulator in virtual time; both hear what happened through host.event.
//
// Transitions are synchronous, so a host's answer reflects the request (as the service's does). Work that may wait
// on a rule (classification, best-worker scoring) goes to one serial work queue; `idle()` resolves when it has
// drained. Time-based work (offer expiry, waitTime triggers, selector expiry, scheduled activation, `closeAt`,
// decline retries) runs from the host's Clock. Matching lives in ./matching (one pass over the queues, in queue id
// order and each queue's service order).

import { randomUUID } from "node:crypto";
import type {
  ExceptionAction,
  Labels,
  RouterJobAssignment,
  RouterJobNote,
  RouterJobOffer,
  RouterJobStatus,
  RouterWorkerSelector,
  RouterWorkerSelectorInput,
  RouterWorkerState,
} from "../../provider/client/models";
import { classify } from "../classification";
import { formatServiceTime } from "../clock";
import {
  effectiveActions,
  queueLengthRulesFired,
  upsertLabels,
  waitTimeSchedule,
  type ExceptionRuleLike,
} from "../exceptions";
import { TokenCache } from "../rules";
import { expireSelectors, materializeSelector, nextExpiry } from "../selectors";
import type { RoutingEvent } from "./events";
import type { RoutingHost } from "./host";
import { Matcher } from "./matching";
import { MatchIndex } from "./matchIndex";
import {
  allSelectors,
  badRequest,
  hasUnmarkedExpiry,
  conflict,
  isActive,
  loadRatioOf,
  matchingKind,
  notFound,
  scheduleAtOf,
  withEntry,
  type FailureDetail,
  type JobBody,
  type JobState,
  type WorkerBody,
  type WorkerState,
} from "./state";
import { KeyedTimers } from "./timers";
import { WorkQueue } from "./workQueue";

/** Whether an update changes what classification reads from the job: its labels or its classification policy. */
function classificationInputsChanged(before: JobBody | undefined, after: JobBody): boolean {
  if (before?.classificationPolicyId !== after.classificationPolicyId) return true;
  const a = before?.labels ?? {};
  const b = after.labels ?? {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return true;
  return false;
}

/** Whether a selector of the list is an active `expedite` one (the lists are walked in place, not joined). */
function expedites(list: readonly RouterWorkerSelector[] | undefined, now: number): boolean {
  if (list !== undefined)
    for (const s of list)
      if (s.expedite === true && s.status !== "expired" && !(s.expiresAt && Date.parse(s.expiresAt) <= now))
        return true;
  return false;
}

export class RoutingCore<J extends JobState = JobState, W extends WorkerState = WorkerState> {
  readonly jobs = new Map<string, J>();
  readonly workers = new Map<string, W>();
  readonly index: MatchIndex;
  readonly tokens = new TokenCache();
  private readonly timers: KeyedTimers;
  private readonly work: WorkQueue;
  private readonly matcher: Matcher;
  private matchQueued = false;
  private closed = false;

  constructor(readonly host: RoutingHost) {
    this.work = new WorkQueue((err) =>
      this.log(`routing task failed: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.timers = new KeyedTimers(host.clock, () => this.work.idle());
    this.index = new MatchIndex(this.jobs, this.workers);
    this.matcher = new Matcher(this);
  }

  // ------------------------------------------------------------ infrastructure

  now(): number {
    return this.host.clock.now();
  }

  log(message: string): void {
    this.host.log?.(message);
  }

  newId(): string {
    return this.host.newId ? this.host.newId() : randomUUID();
  }

  enqueue(task: () => Promise<void> | void): void {
    if (!this.closed) this.work.enqueue(task);
  }

  /** Resolves when no routing work is pending. */
  idle(): Promise<void> {
    // Work queued by whatever ran when the queue drained is waited for too.
    if (!this.work.busy) return Promise.resolve();
    return this.work.idle().then(this.settled);
  }

  private readonly settled = (): Promise<void> => this.idle();

  close(): void {
    this.closed = true;
    this.work.close();
    this.timers.close();
  }

  emit(e: RoutingEvent): void {
    this.host.event(e);
  }

  /** A write of a job: the match indexes learn of it, the host persists it. */
  writeJob(j: J, changed = true): void {
    this.index.jobWritten(j);
    this.host.jobWritten(j, changed);
  }

  writeWorker(w: W, changed = true): void {
    w.worker.loadRatio = loadRatioOf(w);
    this.index.workerWritten(w);
    this.host.workerWritten(w, changed);
  }

  // ------------------------------------------------------------ restoring

  /**
   * Take over jobs and workers a host kept (the emulator's file store after a restart): index them and re-arm every
   * timer their state implies.
   */
  restore(jobs: Iterable<J>, workers: Iterable<W>): void {
    for (const j of jobs) {
      this.jobs.set(j.id, j);
      this.index.jobWritten(j);
    }
    for (const w of workers) {
      this.workers.set(w.id, w);
      this.index.workerWritten(w);
    }
    for (const w of this.workers.values()) for (const offer of w.worker.offers ?? []) this.armOfferExpiry(w.id, offer);
    for (const j of this.jobs.values()) {
      const st = j.job.status;
      if (st === "queued") {
        this.armWaitTime(j);
        this.armSelectorExpiry(j);
      } else if (st === "scheduled" || st === "pendingSchedule") {
        this.enqueue(() => this.scheduleJob(j.id));
      } else if (st === "pendingClassification") {
        this.enqueue(() => this.classifyJob(j.id));
      }
      if (j.pendingClose) this.armClose(j);
    }
    if (this.jobs.size > 0) this.requestMatch();
  }

  // ------------------------------------------------------------ queues

  /**
   * Queued jobs of a queue in service order: jobs with an active `expedite` selector first ([spec] "pushes a job to
   * the front of the queue as long as this selector is active"), then priority (high first), then enqueue time, then
   * the order the jobs were created in. `among` restricts the answer to those ids.
   */
  queuedJobs(queueId: string, among?: ReadonlySet<string>): J[] {
    const now = this.now();
    this.index.absorb();
    // The index holds jobs with a queue id; an empty one (never routed, but askable) is looked up the long way.
    const members = queueId ? this.index.queued(queueId) : this.queuedWithoutQueueId();
    if (!members) return [];
    // The smaller of the two sets is walked; the other answers membership.
    const walkAmong = among !== undefined && among.size < members.size;
    const walk = walkAmong ? among : members;
    const other = walkAmong ? members : among;
    const found: J[] = [];
    for (const id of walk) {
      if (other !== undefined && !other.has(id)) continue;
      const j = this.jobs.get(id);
      if (!j || j.job.status !== "queued" || j.job.queueId !== queueId) continue;
      found.push(j);
    }
    // One job (a pass after one arrival, mostly) is its own order.
    if (found.length <= 1) {
      // (Its service rank is still taken now, as sorting would: a job never written gets its rank here.)
      for (const j of found) this.index.jobOrder(j);
      return found;
    }
    const keyed: Array<{ j: J; e: number; p: number; t: number; s: number }> = [];
    for (const j of found) {
      // Sort keys once per job, not in the comparator (n·log n calls re-derived active selectors).
      const expedite = expedites(j.job.requestedWorkerSelectors, now) || expedites(j.job.attachedWorkerSelectors, now);
      keyed.push({ j, e: expedite ? 1 : 0, p: j.job.priority ?? 1, t: j.enqueuedAtMs ?? 0, s: this.index.jobOrder(j) });
    }
    keyed.sort((a, b) => b.e - a.e || b.p - a.p || a.t - b.t || a.s - b.s);
    return keyed.map((k) => k.j);
  }

  private queuedWithoutQueueId(): Set<string> {
    const ids = new Set<string>();
    for (const j of this.jobs.values()) if (j.job.status === "queued" && !j.job.queueId) ids.add(j.id);
    return ids;
  }

  // ------------------------------------------------------------ job lifecycle

  /** A new job, not yet routed (the host may read it back as created before startNewJob routes it). */
  addJob(j: J): void {
    this.jobs.set(j.id, j);
    this.writeJob(j);
  }

  /** The status a new or re-activated job starts in, before any routing work. */
  initialStatus(body: JobBody): RouterJobStatus {
    const mm = matchingKind(body);
    if (mm === "scheduleAndSuspend") return "pendingSchedule";
    if (mm === "suspend") return "waitingForActivation";
    // [rec: Python SDK, 2023-11-01] a job created with only a queueId answers "created" and is queued just after
    return body.classificationPolicyId ? "pendingClassification" : "created";
  }

  /** After a job is created: announce it and start what its matching mode asks for. */
  startNewJob(j: J): void {
    const mm = matchingKind(j.job);
    this.emit({ name: "RouterJobReceived", job: j });
    if (mm === "scheduleAndSuspend") this.enqueue(() => this.scheduleJob(j.id));
    else if (mm === "suspend") this.emit({ name: "RouterJobWaitingForActivation", job: j });
    else this.continueRouting(j);
  }

  /**
   * After a client replaced a job's body (`before`: the body it had): what the change asks of routing. The host has
   * written the job already.
   */
  jobUpdated(j: J, before: JobBody): void {
    const body = j.job;
    const status = body.status;
    const mm = matchingKind(body);
    const oldMm = matchingKind(before);
    if (
      (status === "waitingForActivation" || status === "scheduled" || status === "pendingSchedule") &&
      mm === "queueAndMatch"
    ) {
      // [doc] a suspended or scheduled job is activated by updating its matching mode to queueAndMatch; its
      // schedule no longer applies.
      this.timers.clear(j.id, "sched");
      this.continueRouting(j);
    } else if (status === "queued" && mm === "suspend" && oldMm !== "suspend") {
      this.revokeOffersForJob(j);
      j.job.status = "waitingForActivation";
      this.writeJob(j);
    } else if (status === "queued" && body.classificationPolicyId && classificationInputsChanged(before, body)) {
      // [rec: Python SDK test_update_job_w_cp, test_update_job_w_cp_w_kwargs] new labels (or a new policy) send a
      // queued job back through classification at once; a later GET shows it queued again with its priority
      // recomputed. An update that changes neither (a new priority) leaves it queued, unclassified
      // [rec: JS SDK should_update_a_job, answered "queued"].
      this.reclassifyJob(j);
    } else if (status === "queued") {
      if (before.queueId !== body.queueId) {
        this.revokeOffersForJob(j);
        this.queueJob(j);
      } else {
        this.requestMatch();
      }
    } else if (
      status === "classificationFailed" &&
      before.classificationPolicyId !== body.classificationPolicyId &&
      body.classificationPolicyId
    ) {
      this.continueRouting(j);
    }
  }

  /** Classify (async) or queue (now) a job that is ready for routing. */
  continueRouting(j: J): void {
    if (j.job.classificationPolicyId) {
      if (j.job.status !== "pendingClassification") {
        j.job.status = "pendingClassification";
        this.writeJob(j);
      }
      this.enqueue(() => this.classifyJob(j.id));
    } else {
      this.queueJob(j);
    }
  }

  /** scheduleAndSuspend: pendingSchedule -> scheduled (timer) -> waitingForActivation. */
  private scheduleJob(id: string): void {
    const j = this.jobs.get(id);
    if (!j || (j.job.status !== "pendingSchedule" && j.job.status !== "scheduled")) return;
    const at = matchingKind(j.job) === "scheduleAndSuspend" ? Date.parse(scheduleAtOf(j.job) ?? "") : Number.NaN;
    if (Number.isNaN(at)) {
      j.job.status = "scheduleFailed";
      this.writeJob(j);
      this.emit({
        name: "RouterJobSchedulingFailed",
        job: j,
        failureReason: "matchingMode.scheduleAt: is not a valid date-time",
      });
      return;
    }
    if (j.job.status === "pendingSchedule") {
      j.job.status = "scheduled";
      // [rec: Python SDK, 2023-11-01] scheduledAt is when the job became scheduled, not the requested time
      j.job.scheduledAt = formatServiceTime(this.now());
      this.writeJob(j);
    }
    this.timers.set(id, "sched", at, () => {
      const cur = this.jobs.get(id);
      if (!cur || cur.job.status !== "scheduled") return;
      cur.job.status = "waitingForActivation";
      this.writeJob(cur);
      this.emit({ name: "RouterJobWaitingForActivation", job: cur });
    });
  }

  /** Classification of a pendingClassification job (a queued task). */
  private async classifyJob(id: string): Promise<void> {
    const j = this.jobs.get(id);
    if (!j || j.job.status !== "pendingClassification") return;
    const policy = this.host.policies.classificationPolicy(j.job.classificationPolicyId);
    const fail = (errors: FailureDetail[]): void => {
      j.job.status = "classificationFailed";
      this.writeJob(j);
      this.emit({ name: "RouterJobClassificationFailed", job: j, errors });
    };
    if (!policy) {
      fail([
        {
          code: "ClassificationPolicyNotFound",
          message: `classificationPolicyId: ${j.job.classificationPolicyId ?? ""} does not exist`,
        },
      ]);
      return;
    }
    const input: { labels: Labels; queueId?: string; priority?: number } = { labels: j.job.labels ?? {} };
    if (j.job.queueId !== undefined) input.queueId = j.job.queueId;
    if (j.job.priority !== undefined) input.priority = j.job.priority;
    const result = await classify(input, policy, this.host.policies.queuesForClassification(), {
      http: this.host.http,
      tokens: this.tokens,
      random: this.host.random,
      now: () => this.now(),
    });
    // The job may have been cancelled or changed while rules were evaluated.
    if (j.job.status !== "pendingClassification" || this.jobs.get(id) !== j) return;
    if (!result.ok) {
      fail(result.errors);
      return;
    }
    const queue = this.host.policies.queue(result.queueId);
    if (!queue) {
      fail([{ code: "QueueNotFound", message: `the selected queue ${result.queueId} does not exist` }]);
      return;
    }
    j.job.queueId = result.queueId;
    if (result.priority !== undefined) j.job.priority = result.priority;
    j.job.attachedWorkerSelectors = result.attachedWorkerSelectors;
    this.writeJob(j);
    this.emit({ name: "RouterJobClassified", job: j, queue, classificationPolicyId: policy.id });
    this.queueJob(j);
  }

  /** Put a job in its queue, fire queueLength exceptions, arm waitTime and selector-expiry timers. */
  queueJob(j: J): void {
    j.job.status = "queued";
    j.enqueuedAtMs = this.now();
    j.job.enqueuedAt = formatServiceTime(j.enqueuedAtMs);
    j.firedRules = [];
    this.writeJob(j);
    this.emit({ name: "RouterJobQueued", job: j });
    this.armSelectorExpiry(j);
    const queue = this.host.policies.queue(j.job.queueId);
    const policy = this.host.policies.exceptionPolicy(queue?.exceptionPolicyId);
    if (policy && j.job.queueId) {
      this.index.absorb();
      const length = this.index.queued(j.job.queueId)?.size ?? 0;
      for (const rule of queueLengthRulesFired(policy, length)) {
        if (j.job.status !== "queued") break;
        this.fireException(j, rule);
      }
    }
    if (j.job.status === "queued") this.armWaitTime(j);
    this.requestMatch();
  }

  private armWaitTime(j: J): void {
    this.timers.clearGroup(j.id, "wait:");
    const queue = this.host.policies.queue(j.job.queueId);
    const policy = this.host.policies.exceptionPolicy(queue?.exceptionPolicyId);
    if (!policy || j.enqueuedAtMs === undefined) return;
    const stay = j.enqueuedAtMs;
    for (const { rule, atMs } of waitTimeSchedule(policy, stay)) {
      if (j.firedRules.includes(rule.id)) continue;
      this.timers.set(j.id, `wait:${rule.id}`, atMs, () => {
        const cur = this.jobs.get(j.id);
        if (!cur || cur.job.status !== "queued" || cur.enqueuedAtMs !== stay) return;
        this.fireException(cur, rule);
      });
    }
  }

  private armSelectorExpiry(j: J): void {
    const at = nextExpiry(allSelectors(j), this.now());
    if (at === undefined) {
      this.timers.clear(j.id, "selexp");
      return;
    }
    this.timers.set(j.id, "selexp", at, () => {
      const cur = this.jobs.get(j.id);
      if (!cur || !isActive(cur.job.status)) return;
      this.expireJobSelectors(cur);
      this.armSelectorExpiry(cur);
      this.requestMatch();
    });
  }

  /** Mark due selectors expired; raises RouterJobWorkerSelectorsExpired when any did. */
  expireJobSelectors(j: J): void {
    const now = this.now();
    if (!hasUnmarkedExpiry(j)) return; // no selector with an expiry left to mark (the common case)
    const req = expireSelectors(j.job.requestedWorkerSelectors ?? [], now);
    const att = expireSelectors(j.job.attachedWorkerSelectors ?? [], now);
    if (req.newlyExpired.length === 0 && att.newlyExpired.length === 0) return;
    j.job.requestedWorkerSelectors = req.selectors;
    j.job.attachedWorkerSelectors = att.selectors;
    this.writeJob(j);
    this.emit({
      name: "RouterJobWorkerSelectorsExpired",
      job: j,
      expiredRequested: req.newlyExpired,
      expiredAttached: att.newlyExpired,
    });
  }

  /** Run one exception rule's actions on a queued job (at most once per stay in a queue). */
  private fireException(j: J, rule: ExceptionRuleLike): void {
    if (j.firedRules.includes(rule.id)) return;
    j.firedRules.push(rule.id);
    this.writeJob(j);
    this.emit({ name: "RouterJobExceptionTriggered", job: j, ruleId: rule.id });
    for (const action of effectiveActions(rule.actions)) this.applyExceptionAction(j, action);
  }

  private applyExceptionAction(j: J, a: ExceptionAction): void {
    if (j.job.status !== "queued") return;
    switch (a.kind) {
      case "cancel":
        this.cancelJob(j, { note: a.note, dispositionCode: a.dispositionCode });
        return;
      case "reclassify": {
        this.revokeOffersForJob(j);
        this.timers.clearGroup(j.id, "wait:");
        if (a.classificationPolicyId) j.job.classificationPolicyId = a.classificationPolicyId;
        if (a.labelsToUpsert) j.job.labels = upsertLabels(j.job.labels, a.labelsToUpsert);
        if (!j.job.classificationPolicyId) {
          // Nothing to classify with: the job stays in its queue with the new labels.
          this.writeJob(j);
          this.requestMatch();
          return;
        }
        j.job.status = "pendingClassification";
        this.writeJob(j);
        this.enqueue(() => this.classifyJob(j.id));
        return;
      }
      case "manualReclassify": {
        this.revokeOffersForJob(j);
        this.timers.clearGroup(j.id, "wait:");
        if (a.queueId) j.job.queueId = a.queueId;
        if (a.priority !== undefined) j.job.priority = a.priority;
        if (a.workerSelectors) {
          const now = this.now();
          j.job.attachedWorkerSelectors = a.workerSelectors.map((s: RouterWorkerSelectorInput) =>
            materializeSelector(s, now),
          );
        }
        this.queueJob(j);
        return;
      }
    }
  }

  private addNote(j: J, note: string | undefined): void {
    if (note === undefined || note === null || note === "") return;
    const n: RouterJobNote = { message: note, addedAt: formatServiceTime(this.now()) };
    j.job.notes = [...(j.job.notes ?? []), n];
  }

  cancelJob(j: J, opts: { note?: string | undefined; dispositionCode?: string | undefined }): void {
    if (!isActive(j.job.status)) {
      throw badRequest("InvalidJobStatus", `job ${j.id} is ${j.job.status ?? "unknown"} and cannot be cancelled`);
    }
    this.revokeOffersForJob(j);
    this.clearJobTimers(j.id);
    for (const a of Object.values(j.job.assignments ?? {})) {
      if (!a.closedAt && a.workerId) this.releaseCapacity(a.workerId, a.assignmentId);
    }
    j.job.status = "cancelled";
    // [spec] dispositionCode defaults to "Cancelled"; [rec] `:cancel` without a body gave exactly that
    j.job.dispositionCode = opts.dispositionCode ?? "Cancelled";
    this.addNote(j, opts.note);
    delete j.pendingClose;
    this.writeJob(j);
    this.emit({ name: "RouterJobCancelled", job: j, note: opts.note });
    this.requestMatch();
  }

  private clearJobTimers(jobId: string): void {
    this.timers.clearGroup(jobId, "wait:");
    this.timers.clear(jobId, "selexp");
    this.timers.clear(jobId, "sched");
  }

  reclassifyJob(j: J): void {
    if (!j.job.classificationPolicyId)
      throw badRequest(
        "ClassificationPolicyRequired",
        `classificationPolicyId: job ${j.id} has none to reclassify with`,
      );
    if (
      !["queued", "classificationFailed", "pendingClassification", "waitingForActivation"].includes(j.job.status ?? "")
    ) {
      throw badRequest(
        "InvalidJobStatus",
        `job ${j.id} is ${j.job.status ?? "unknown"}; only queued, classificationFailed or waiting jobs can be reclassified`,
      );
    }
    this.revokeOffersForJob(j);
    this.timers.clearGroup(j.id, "wait:");
    j.job.status = "pendingClassification";
    this.writeJob(j);
    this.enqueue(() => this.classifyJob(j.id));
  }

  private assignmentOf(j: J, assignmentId: string): RouterJobAssignment {
    const a = j.job.assignments?.[assignmentId];
    if (!a) throw notFound(`assignment ${assignmentId} of job ${j.id} does not exist`);
    return a;
  }

  completeJob(j: J, assignmentId: string, note: string | undefined): void {
    const a = this.assignmentOf(j, assignmentId);
    if (j.job.status !== "assigned")
      throw badRequest(
        "InvalidJobStatus",
        `job ${j.id} is ${j.job.status ?? "unknown"}; only an assigned job can be completed`,
      );
    a.completedAt = formatServiceTime(this.now());
    j.job.status = "completed";
    this.addNote(j, note);
    this.writeJob(j);
    this.emit({ name: "RouterJobCompleted", job: j, assignmentId, workerId: a.workerId });
  }

  closeJob(
    j: J,
    assignmentId: string,
    opts: { dispositionCode?: string | undefined; closeAt?: number | undefined; note?: string | undefined },
  ): void {
    const a = this.assignmentOf(j, assignmentId);
    if (j.job.status !== "completed")
      throw badRequest(
        "InvalidJobStatus",
        `job ${j.id} is ${j.job.status ?? "unknown"}; only a completed job can be closed`,
      );
    if (j.pendingClose)
      throw badRequest(
        "InvalidJobStatus",
        `job ${j.id} is already closing at ${formatServiceTime(j.pendingClose.atMs)}`,
      );
    // [rec: Python SDK, 2023-11-01] a close without a disposition code sets "Closed" (as :cancel sets "Cancelled")
    j.job.dispositionCode = opts.dispositionCode ?? "Closed";
    this.addNote(j, opts.note);
    const now = this.now();
    if (opts.closeAt !== undefined && opts.closeAt > now) {
      // [spec] capacity release and the JobClosed event happen at closeAt
      j.pendingClose = { assignmentId, atMs: opts.closeAt };
      this.writeJob(j);
      this.armClose(j);
      return;
    }
    this.finishClose(j, a);
  }

  private armClose(j: J): void {
    const pc = j.pendingClose;
    if (!pc) return;
    this.timers.set(j.id, "close", pc.atMs, () => {
      const cur = this.jobs.get(j.id);
      if (!cur || !cur.pendingClose || cur.job.status !== "completed") return;
      const a = cur.job.assignments?.[cur.pendingClose.assignmentId];
      delete cur.pendingClose;
      if (a) this.finishClose(cur, a);
    });
  }

  private finishClose(j: J, a: RouterJobAssignment): void {
    a.closedAt = formatServiceTime(this.now());
    j.job.status = "closed";
    delete j.pendingClose;
    this.writeJob(j);
    if (a.workerId) this.releaseCapacity(a.workerId, a.assignmentId);
    this.emit({ name: "RouterJobClosed", job: j, assignmentId: a.assignmentId, workerId: a.workerId });
    this.requestMatch();
  }

  unassignJob(j: J, assignmentId: string, suspendMatching: boolean): { jobId: string; unassignmentCount: number } {
    const a = this.assignmentOf(j, assignmentId);
    if (j.job.status !== "assigned")
      throw badRequest(
        "InvalidJobStatus",
        `job ${j.id} is ${j.job.status ?? "unknown"}; only an assigned job can be unassigned`,
      );
    // [spec] "at a maximum 3" unassignments
    if (j.unassignmentCount >= 3)
      throw badRequest("MaxUnassignmentCountReached", `job ${j.id} has been unassigned 3 times, the maximum`);
    if (a.workerId) this.releaseCapacity(a.workerId, a.assignmentId);
    const rest: Record<string, RouterJobAssignment> = { ...(j.job.assignments ?? {}) };
    delete rest[assignmentId];
    j.job.assignments = rest;
    j.unassignmentCount++;
    this.emit({ name: "RouterJobUnassigned", job: j, assignmentId, workerId: a.workerId });
    if (suspendMatching) {
      j.job.status = "waitingForActivation";
      this.writeJob(j);
      this.emit({ name: "RouterJobWaitingForActivation", job: j });
    } else {
      this.queueJob(j);
    }
    this.requestMatch();
    return { jobId: j.id, unassignmentCount: j.unassignmentCount };
  }

  deleteJob(j: J): void {
    if (j.job.status === "assigned" || j.job.status === "completed") {
      // [guess: deleting a job that holds worker capacity is refused; never recorded]
      throw conflict(`Job ${j.id} is ${j.job.status}; close or cancel it before deleting it`);
    }
    this.revokeOffersForJob(j);
    this.clearJobTimers(j.id);
    this.timers.clear(j.id, "close");
    this.jobs.delete(j.id);
    // No worker refers to it any more (offers revoked above; capacity-holding jobs are refused).
    this.index.jobDeleted(j.id);
    this.host.jobDeleted(j);
    this.emit({ name: "RouterJobDeleted", job: j });
    this.requestMatch();
  }

  // ------------------------------------------------------------ workers

  /** A new worker, not yet registered (afterWorkerUpsert registers it). */
  addWorker(w: W): void {
    this.workers.set(w.id, w);
    this.writeWorker(w);
  }

  /** State and events after a worker upsert; `before` is the state prior to the change. */
  afterWorkerUpsert(w: W, before: WorkerBody | undefined, created: boolean): void {
    const wasActive = before?.state === "active";
    const wantsActive = w.worker.availableForOffers === true;
    if (wantsActive && !wasActive) {
      w.worker.state = "active";
      w.idleSinceMs = this.now();
      // [spec] a declined job is offered again once the worker de-registers and re-registers
      w.declines = {};
      this.writeWorker(w, !created);
      this.emit({ name: "RouterWorkerRegistered", worker: w });
    } else if (!wantsActive && (wasActive || created)) {
      this.revokeOffersForWorker(w);
      w.worker.state = this.inactiveState(w);
      this.writeWorker(w, !created);
      if (wasActive) this.emit({ name: "RouterWorkerDeregistered", worker: w });
    } else if (before && wantsActive) {
      const changed: string[] = [];
      const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
      if (!same(before.capacity, w.worker.capacity)) changed.push("TotalCapacity");
      if (!same(before.queues, w.worker.queues)) changed.push("QueueAssignments");
      if (!same(before.labels, w.worker.labels)) changed.push("Labels");
      if (!same(before.tags, w.worker.tags)) changed.push("Tags");
      if (!same(before.channels, w.worker.channels)) changed.push("ChannelConfigurations");
      if (changed.length > 0) this.emit({ name: "RouterWorkerUpdated", worker: w, changed });
    }
    this.requestMatch();
  }

  private inactiveState(w: W): RouterWorkerState {
    // [spec] draining: not active, existing work still in progress
    return (w.worker.assignedJobs ?? []).length > 0 ? "draining" : "inactive";
  }

  deleteWorker(w: W): void {
    if ((w.worker.assignedJobs ?? []).length > 0) {
      // [guess: never recorded; a worker holding assignments cannot vanish]
      throw conflict(`Worker ${w.id} has assigned jobs; close them before deleting the worker`);
    }
    this.revokeOffersForWorker(w);
    this.workers.delete(w.id);
    this.index.workerDeleted(w.id);
    this.host.workerDeleted(w);
    this.emit({ name: "RouterWorkerDeleted", worker: w });
    this.requestMatch();
  }

  private releaseCapacity(workerId: string, assignmentId: string): void {
    const w = this.workers.get(workerId);
    if (!w) return;
    const before = (w.worker.assignedJobs ?? []).length;
    w.worker.assignedJobs = (w.worker.assignedJobs ?? []).filter((a) => a.assignmentId !== assignmentId);
    if (w.worker.assignedJobs.length === before) return;
    if (w.worker.assignedJobs.length === 0) w.idleSinceMs = this.now();
    if (w.worker.state === "draining" && w.worker.assignedJobs.length === 0) w.worker.state = "inactive";
    this.writeWorker(w);
  }

  // ------------------------------------------------------------ offers

  /** Offer a queued job to a worker (the matching pass decided it). */
  issueOffer(j: J, w: W, capacityCost: number, offerExpiresAfterSeconds: number | null | undefined): void {
    const now = this.now();
    const offer: RouterJobOffer = {
      offerId: this.newId(),
      jobId: j.id,
      capacityCost,
      offeredAt: formatServiceTime(now),
    };
    if (offerExpiresAfterSeconds !== undefined && offerExpiresAfterSeconds !== null) {
      offer.expiresAt = formatServiceTime(now + offerExpiresAfterSeconds * 1000);
    }
    w.worker.offers = [...(w.worker.offers ?? []), offer];
    this.writeWorker(w);
    this.emit({ name: "RouterWorkerOfferIssued", worker: w, job: j, jobId: j.id, offerId: offer.offerId, offer });
    this.armOfferExpiry(w.id, offer);
  }

  private armOfferExpiry(workerId: string, offer: RouterJobOffer): void {
    if (!offer.expiresAt) return;
    const at = Date.parse(offer.expiresAt);
    if (Number.isNaN(at)) return;
    this.timers.set(offer.offerId, "offer", at, () => {
      const w = this.workers.get(workerId);
      if (!w || !(w.worker.offers ?? []).some((o) => o.offerId === offer.offerId)) return;
      w.worker.offers = (w.worker.offers ?? []).filter((o) => o.offerId !== offer.offerId);
      this.writeWorker(w);
      const job = this.jobs.get(offer.jobId);
      this.emit({ name: "RouterWorkerOfferExpired", worker: w, job, jobId: offer.jobId, offerId: offer.offerId });
      this.requestMatch();
    });
  }

  private removeOffer(w: W, offerId: string): RouterJobOffer | undefined {
    const offer = (w.worker.offers ?? []).find((o) => o.offerId === offerId);
    if (!offer) return undefined;
    w.worker.offers = (w.worker.offers ?? []).filter((o) => o.offerId !== offerId);
    this.timers.clear(offerId, "offer");
    return offer;
  }

  /** Revoke a worker's offer (the matching pass found it no longer holds). */
  revokeOffer(w: W, offerId: string, jobId: string): void {
    this.removeOffer(w, offerId);
    this.writeWorker(w);
    this.emit({ name: "RouterWorkerOfferRevoked", worker: w, job: this.jobs.get(jobId), jobId, offerId });
  }

  /** Revoke every open offer of a job (in registration order of the workers holding them), but `exceptWorkerId`'s. */
  revokeOffersForJob(j: J, exceptWorkerId?: string): void {
    this.index.absorb();
    for (const id of this.index.holdersOf(j.id)) {
      const w = this.workers.get(id);
      if (!w || id === exceptWorkerId) continue;
      for (const offer of (w.worker.offers ?? []).filter((o) => o.jobId === j.id)) {
        this.removeOffer(w, offer.offerId);
        this.writeWorker(w);
        this.emit({ name: "RouterWorkerOfferRevoked", worker: w, job: j, jobId: j.id, offerId: offer.offerId });
      }
    }
  }

  private revokeOffersForWorker(w: W): void {
    const offers = [...(w.worker.offers ?? [])];
    for (const offer of offers) {
      this.removeOffer(w, offer.offerId);
      const job = this.jobs.get(offer.jobId);
      this.emit({ name: "RouterWorkerOfferRevoked", worker: w, job, jobId: offer.jobId, offerId: offer.offerId });
    }
    if (offers.length > 0) this.writeWorker(w);
  }

  findOffer(w: W, offerId: string): RouterJobOffer {
    const offer = (w.worker.offers ?? []).find((o) => o.offerId === offerId);
    if (!offer)
      throw notFound(`offer ${offerId} of worker ${w.id} does not exist (it may have expired or been revoked)`);
    return offer;
  }

  acceptOffer(w: W, offerId: string): { assignmentId: string; jobId: string; workerId: string } {
    const offer = this.findOffer(w, offerId);
    const j = this.jobs.get(offer.jobId);
    if (!j) throw notFound(`job ${offer.jobId} of offer ${offerId} no longer exists`);
    if (j.job.status !== "queued") {
      // [spec] "returns a 409/Conflict if another agent accepted the job already"
      throw conflict(`Job ${j.id} is ${j.job.status ?? "unknown"} and can no longer be accepted`);
    }
    this.removeOffer(w, offerId);
    const assignmentId = this.newId();
    const assignedAt = formatServiceTime(this.now());
    w.worker.assignedJobs = [
      ...(w.worker.assignedJobs ?? []),
      { assignmentId, jobId: j.id, capacityCost: offer.capacityCost, assignedAt },
    ];
    this.writeWorker(w);
    j.job.status = "assigned";
    j.job.assignments = withEntry<RouterJobAssignment>(j.job.assignments, assignmentId, {
      assignmentId,
      workerId: w.id,
      assignedAt,
    });
    this.clearJobTimers(j.id);
    this.writeJob(j);
    this.emit({ name: "RouterWorkerOfferAccepted", worker: w, job: j, jobId: j.id, offerId, assignmentId });
    this.revokeOffersForJob(j, w.id);
    this.requestMatch();
    return { assignmentId, jobId: j.id, workerId: w.id };
  }

  declineOffer(w: W, offerId: string, retryAtMs: number | undefined): void {
    const offer = this.findOffer(w, offerId);
    this.removeOffer(w, offerId);
    w.declines = withEntry(w.declines, offer.jobId, retryAtMs ?? null);
    this.writeWorker(w);
    const job = this.jobs.get(offer.jobId);
    this.emit({ name: "RouterWorkerOfferDeclined", worker: w, job, jobId: offer.jobId, offerId });
    if (retryAtMs !== undefined && retryAtMs > this.now()) {
      // [spec] at the retry time the job is re-matched, the declining worker eligible again
      this.timers.set(w.id, `retry:${offer.jobId}`, retryAtMs, () => this.requestMatch());
    }
    this.requestMatch();
  }

  // ------------------------------------------------------------ matching

  /**
   * After an administration write (a queue, a policy): waitTime triggers follow the queue's current exception
   * policy, and matching runs again (a queue may have gained a distribution policy).
   */
  onAdminChange(): void {
    for (const j of this.jobs.values()) if (j.job.status === "queued") this.armWaitTime(j);
    this.requestMatch();
  }

  /** Schedule one matching pass (coalesced: several requests before it runs make one pass). */
  requestMatch(): void {
    if (this.matchQueued || this.closed) return;
    this.matchQueued = true;
    this.enqueue(this.runPass);
  }

  /** The queued matching task (one function, not a closure per request). */
  private readonly runPass = (): Promise<void> | void => {
    this.matchQueued = false;
    return this.matcher.pass();
  };
}
