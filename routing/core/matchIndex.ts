// What the matching pass keeps between passes so that one pass costs what changed, not jobs × workers: queue
// membership, which jobs may take another offer ("open"), who holds offers for which job, each worker's candidate
// view and the pool of available workers with room per queue (MatchSnapshot). Every write of a job or worker by the
// core goes through jobWritten / workerWritten; the indexes fold those in lazily (absorb).

import { capacityCostFor, type CandidateWorker, type WorkerUsage } from "../distribution";
import type { RouterJobOffer } from "../../provider/client/models";
import type { JobState, WorkerState } from "./state";

/** The declines of a worker that has none (shared: most workers never decline). */
const NO_DECLINES: ReadonlyMap<string, number> = new Map();

/** Whether some channel of the worker still fits one more job (capacity and the channel's job limit). */
function hasRoom(w: CandidateWorker): boolean {
  return w.channels.some((c) => capacityCostFor(w, c.channelId) !== undefined);
}

/**
 * The workers and offers as a pass sees them: each available worker's candidate view, the available workers of each
 * queue that have room (registration order), and how many offers each job has out. Kept across passes and brought up
 * to date (`refresh`) for the workers written since, whenever the write counter moved from `epoch`; a pass's own
 * offers patch it with `update`.
 */
export class MatchSnapshot {
  private outstanding = new Map<string, number>();
  private readonly candidates = new Map<string, CandidateWorker>();
  /** The queues each available worker is listed under (its `lists` entries). */
  private readonly queuesOf = new Map<string, string[]>();
  private readonly lists = new Map<string, CandidateWorker[]>();
  /**
   * Per queue, a stamp that moves whenever a worker enters its list (registered, freed, changed) or its routing
   * settings change: the only events that can make a job eligible for a worker it was not eligible for. (A worker
   * leaving the list or taking more work only takes eligibility away.) Stamps come from one counter shared by every
   * snapshot of the index, so they never repeat.
   */
  private readonly stamps = new Map<string, number>();

  constructor(
    public epoch: number,
    workers: Iterable<WorkerState>,
    private readonly build: (w: WorkerState) => CandidateWorker,
    private readonly countOffers: (jobId: string) => number,
    private readonly seqOf: (workerId: string) => number,
    private readonly nextStamp: () => number,
  ) {
    for (const w of workers) this.place(w);
  }

  /** The queue's stamp (see `stamps`). */
  stampOf(queueId: string): number {
    let n = this.stamps.get(queueId);
    if (n === undefined) this.stamps.set(queueId, (n = this.nextStamp()));
    return n;
  }

  /** Something about the queue changed that may make more workers eligible. */
  touch(queueId: string): void {
    this.stamps.set(queueId, this.nextStamp());
  }

  refresh(epoch: number, changed: Iterable<string>, workerOf: (id: string) => WorkerState | undefined): void {
    this.epoch = epoch;
    // A fresh map, not clear(): see `absorb` on why collections reused every pass are replaced, never cleared.
    if (this.outstanding.size > 0) this.outstanding = new Map();
    for (const id of changed) {
      // The worker's entries are overwritten when it is placed again, deleted only when it is not: deleting and
      // re-adding the same key makes the maps rehash (see MatchIndex.absorb on what a churning table costs).
      const had = this.unlist(id);
      const w = workerOf(id);
      if (!(w !== undefined && this.place(w)) && had) {
        this.candidates.delete(id);
        this.queuesOf.delete(id);
      }
    }
  }

  /** Take a worker out of the queue lists (its map entries stay); whether it had any. */
  private unlist(id: string): boolean {
    const old = this.candidates.get(id);
    if (!old) return false;
    for (const q of this.queuesOf.get(id) ?? []) {
      const list = this.lists.get(q);
      const i = list ? this.positionOf(list, old) : -1;
      if (list && i >= 0) list.splice(i, 1);
    }
    return true;
  }

  /** Where `c` sits in a list kept in registration order (binary search; a scan when its order is gone). */
  private positionOf(list: CandidateWorker[], c: CandidateWorker): number {
    const i = this.lowerBound(list, this.seqOf(c.id));
    if (list[i] === c) return i;
    return list.indexOf(c); // a deleted worker has no registration order any more
  }

  /** The first position in `list` whose worker registered at or after `seq`. */
  private lowerBound(list: CandidateWorker[], seq: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = list[mid];
      if (other !== undefined && this.seqOf(other.id) < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** List an available worker (false: not available, nothing done). */
  private place(w: WorkerState): boolean {
    if (w.worker.state !== "active" || w.worker.availableForOffers !== true) return false;
    const c = this.build(w);
    this.candidates.set(w.id, c);
    const listed = w.worker.queues ?? [];
    const queues = listed.length <= 1 ? listed.slice() : [...new Set(listed)];
    this.queuesOf.set(w.id, queues);
    if (!hasRoom(c)) return true;
    const seq = this.seqOf(w.id);
    for (const q of queues) {
      let list = this.lists.get(q);
      if (!list) this.lists.set(q, (list = []));
      // Registration order: binary search for the first worker registered later.
      list.splice(this.lowerBound(list, seq), 0, c);
      this.touch(q);
    }
    return true;
  }

  /** The available workers listing `queueId` that still have room on some channel, in registration order. */
  candidatesFor(queueId: string): CandidateWorker[] {
    let list = this.lists.get(queueId);
    if (!list) this.lists.set(queueId, (list = []));
    return list;
  }

  outstandingFor(jobId: string): number {
    let n = this.outstanding.get(jobId);
    if (n === undefined) {
      n = this.countOffers(jobId);
      this.outstanding.set(jobId, n);
    }
    return n;
  }

  /** After the pass offered `jobId` to a worker: its new view (usage grew) and one more offer out for the job. */
  update(worker: CandidateWorker, jobId: string): void {
    // Not yet looked up means the lookup reads live state, which already holds this offer.
    const n = this.outstanding.get(jobId);
    if (n !== undefined) this.outstanding.set(jobId, n + 1);
    const old = this.candidates.get(worker.id);
    if (!old) return;
    this.candidates.set(worker.id, worker);
    const room = hasRoom(worker);
    for (const q of this.queuesOf.get(worker.id) ?? []) {
      const list = this.lists.get(q);
      const i = list ? this.positionOf(list, old) : -1;
      if (!list || i < 0) continue;
      if (room) list[i] = worker;
      else list.splice(i, 1);
    }
  }
}

export class MatchIndex {
  /** Counts writes of jobs and workers: a snapshot is trusted only while this has not moved under it. */
  epoch = 0;
  /** Queued jobs not yet seen holding their maximum of offers: the only ones a pass visits. */
  readonly openJobs = new Set<string>();
  /** Set when a queue's bypassSelectors may have changed: the next stale-offer check looks at every offer. */
  recheckAllOffers = true;
  /** Jobs and workers written since the last stale-offer check (an unchanged offer stays valid). */
  changedJobs = new Set<string>();
  changedWorkers = new Set<string>();
  checkedBypass = new Map<string, boolean>();

  /** By job id (a deleted job's entry goes with it: a job re-created under the same id comes last again). */
  private readonly jobSeq = new Map<string, number>();
  private nextJobSeq = 0;
  private readonly workerSeq = new Map<string, number>();
  private nextWorkerSeq = 0;
  private dirtyJobs = new Set<string>();
  private dirtyWorkers = new Set<string>();
  /** busyQueues' answer until a queue gains its first queued job or loses its last. */
  private busy: string[] | undefined;
  private readonly queuedByQueue = new Map<string, Set<string>>();
  private readonly queuedQueueOf = new Map<string, string>();
  private readonly offerJobsOf = new Map<string, string[]>();
  /** The offer list each worker had when last absorbed. */
  private readonly offerListOf = new Map<string, readonly RouterJobOffer[] | undefined>();
  private readonly offerHolders = new Map<string, Set<string>>();
  private readonly queueSettings = new Map<string, string>();
  /**
   * Each worker's candidate view, kept across passes. The view holds the channel of every job the worker has an
   * offer or assignment for, so a job whose channel changes drops every entry; `jobChannels` notices that.
   */
  private readonly candidateCache = new Map<string, CandidateWorker>();
  private readonly jobChannels = new Map<string, string>();
  private pool: MatchSnapshot | undefined;
  private poolDirty = new Set<string>();
  private stampCounter = 0;
  /**
   * Jobs a pass found no eligible worker for, with the stamp their queue had then (see MatchSnapshot.stamps): while
   * neither the job nor the stamp changed, a pass skips the scan, which would find none again. Only jobs whose
   * answer cannot change by time alone are noted (no selector due to expire, no decline with a retry time).
   */
  readonly noMatch = new Map<string, number>();
  private readonly workerById = (id: string): WorkerState | undefined => this.workers.get(id);
  private poolRebuild = false;

  constructor(
    private readonly jobs: ReadonlyMap<string, JobState>,
    private readonly workers: ReadonlyMap<string, WorkerState>,
  ) {}

  jobWritten(j: JobState): void {
    this.epoch++;
    if (this.noMatch.size > 0) this.noMatch.delete(j.id);
    this.changedJobs.add(j.id);
    this.dirtyJobs.add(j.id);
    if (!this.jobSeq.has(j.id) && this.jobs.get(j.id) === j) this.jobSeq.set(j.id, this.nextJobSeq++);
    const channel = j.job.channelId ?? "";
    const known = this.jobChannels.get(j.id);
    if (known !== undefined && known !== channel) {
      this.candidateCache.clear();
      this.poolRebuild = true;
    }
    this.jobChannels.set(j.id, channel);
  }

  jobDeleted(id: string): void {
    this.epoch++;
    if (this.noMatch.size > 0) this.noMatch.delete(id);
    this.jobSeq.delete(id);
    this.changedJobs.add(id);
    this.dirtyJobs.add(id);
    this.jobChannels.delete(id);
  }

  workerWritten(w: WorkerState): void {
    this.epoch++;
    this.changedWorkers.add(w.id);
    this.dirtyWorkers.add(w.id);
    this.poolDirty.add(w.id);
    if (!this.workerSeq.has(w.id) && this.workers.get(w.id) === w) this.workerSeq.set(w.id, this.nextWorkerSeq++);
    this.candidateCache.delete(w.id);
  }

  workerDeleted(id: string): void {
    this.epoch++;
    this.dirtyWorkers.add(id);
    this.poolDirty.add(id);
    this.workerSeq.delete(id);
    this.candidateCache.delete(id);
  }

  /** Registration order of a worker (workers not yet written sort last). */
  workerOrder(id: string): number {
    return this.workerSeq.get(id) ?? Number.MAX_SAFE_INTEGER;
  }

  /** The order a job entered the core: the last tie-break of the service order. */
  jobOrder(j: JobState): number {
    let n = this.jobSeq.get(j.id);
    if (n === undefined) this.jobSeq.set(j.id, (n = this.nextJobSeq++));
    return n;
  }

  /** Fold the writes since the last call into queue membership, offer holders and the open set. */
  absorb(): void {
    // Fresh sets rather than cleared ones: a cleared (or rehashed) table keeps a pointer to its successor, and once
    // the set is old enough to sit in the old generation, every successor allocated before the next young
    // collection stays reachable from it and is copied and promoted. Clearing these sets on every pass made that
    // chain the bulk of a simulation's garbage-collection time.
    if (this.dirtyWorkers.size > 0) {
      const dirty = this.dirtyWorkers;
      this.dirtyWorkers = new Set();
      for (const id of dirty) this.absorbWorker(id);
    }
    if (this.dirtyJobs.size > 0) {
      const dirty = this.dirtyJobs;
      this.dirtyJobs = new Set();
      for (const id of dirty) this.absorbJob(id);
    }
  }

  private absorbWorker(id: string): void {
    const w = this.workers.get(id);
    // The core replaces a worker's offer list on every change (never edits it): the same list, the same offers.
    const offers = w?.worker.offers;
    if (w !== undefined && this.offerListOf.get(id) === offers) return;
    if (w !== undefined) this.offerListOf.set(id, offers);
    else this.offerListOf.delete(id);
    const before = this.offerJobsOf.get(id) ?? [];
    const after = w ? (w.worker.offers ?? []).map((o) => o.jobId) : [];
    for (const jobId of before) {
      if (after.includes(jobId)) continue;
      this.openJobs.add(jobId); // an offer of this job went away: it may take another
      const set = this.offerHolders.get(jobId);
      set?.delete(id);
      if (set?.size === 0) this.offerHolders.delete(jobId);
    }
    for (const jobId of after) {
      if (before.includes(jobId)) continue;
      let set = this.offerHolders.get(jobId);
      if (!set) this.offerHolders.set(jobId, (set = new Set()));
      set.add(id);
    }
    if (after.length > 0) this.offerJobsOf.set(id, after);
    else this.offerJobsOf.delete(id);
  }

  private absorbJob(id: string): void {
    const j = this.jobs.get(id);
    const q = j !== undefined && j.job.status === "queued" && j.job.queueId ? j.job.queueId : undefined;
    const prev = this.queuedQueueOf.get(id);
    if (prev !== q) {
      if (prev !== undefined) {
        const set = this.queuedByQueue.get(prev);
        if (set?.delete(id) === true && set.size === 0) this.busy = undefined;
      }
      if (q !== undefined) {
        let set = this.queuedByQueue.get(q);
        if (!set) this.queuedByQueue.set(q, (set = new Set()));
        set.add(id);
        if (set.size === 1) this.busy = undefined;
        this.queuedQueueOf.set(id, q);
      } else this.queuedQueueOf.delete(id);
    }
    if (q !== undefined) this.openJobs.add(id);
    else this.openJobs.delete(id);
  }

  /** Ids of the jobs queued in a queue (after absorb). */
  queued(queueId: string): ReadonlySet<string> | undefined {
    return this.queuedByQueue.get(queueId);
  }

  /** Queues with at least one queued job, in id order. */
  busyQueues(): readonly string[] {
    if (this.busy === undefined)
      this.busy = [...this.queuedByQueue.keys()].filter((q) => (this.queuedByQueue.get(q)?.size ?? 0) > 0).sort();
    return this.busy;
  }

  /** The workers holding an offer for the job, in registration order (after absorb). */
  holdersOf(jobId: string): string[] {
    const set = this.offerHolders.get(jobId);
    if (!set || set.size === 0) return [];
    return [...set].sort((a, b) => this.workerOrder(a) - this.workerOrder(b));
  }

  /** Add the workers holding an offer for the job to `into` (after absorb; unordered). */
  addHoldersOf(jobId: string, into: Set<string>): void {
    const set = this.offerHolders.get(jobId);
    if (set) for (const id of set) into.add(id);
  }

  countOffers(jobId: string): number {
    let n = 0;
    for (const id of this.offerHolders.get(jobId) ?? []) {
      for (const o of this.workers.get(id)?.worker.offers ?? []) if (o.jobId === jobId) n++;
    }
    return n;
  }

  /**
   * Compare a queue's routing settings with what the last pass saw. When they moved, every queued job of the queue
   * is open again (a higher maxConcurrentOffers, another policy) and every offer is re-checked (bypassSelectors).
   */
  checkQueueSettings(queueId: string, settings: string): void {
    if (this.queueSettings.get(queueId) === settings) return;
    this.queueSettings.set(queueId, settings);
    this.pool?.touch(queueId);
    this.recheckAllOffers = true;
    for (const id of this.queuedByQueue.get(queueId) ?? []) this.openJobs.add(id);
  }

  /** A worker's view for distribution: its labels, queues, channels and what it holds. */
  candidate(w: WorkerState): CandidateWorker {
    const usage: WorkerUsage[] = [];
    const channelOf = (jobId: string): string => this.jobs.get(jobId)?.job.channelId ?? "";
    for (const a of w.worker.assignedJobs ?? [])
      usage.push({ kind: "assignment", jobId: a.jobId, channelId: channelOf(a.jobId), capacityCost: a.capacityCost });
    for (const o of w.worker.offers ?? [])
      usage.push({ kind: "offer", jobId: o.jobId, channelId: channelOf(o.jobId), capacityCost: o.capacityCost });
    let declinedUntil: ReadonlyMap<string, number> = NO_DECLINES;
    for (const jobId in w.declines) {
      if (declinedUntil === NO_DECLINES) declinedUntil = new Map<string, number>();
      const at = w.declines[jobId];
      (declinedUntil as Map<string, number>).set(jobId, at === null ? Number.POSITIVE_INFINITY : (at as number));
    }
    return {
      id: w.id,
      labels: w.worker.labels ?? {},
      queues: w.worker.queues ?? [],
      capacity: w.worker.capacity ?? 0,
      channels: w.worker.channels ?? [],
      available: w.worker.state === "active" && w.worker.availableForOffers === true,
      usage,
      idleSinceMs: w.idleSinceMs,
      declinedUntil,
    };
  }

  cachedCandidate(w: WorkerState): CandidateWorker {
    let c = this.candidateCache.get(w.id);
    if (!c) this.candidateCache.set(w.id, (c = this.candidate(w)));
    return c;
  }

  /** The pool as of now: rebuilt whole when every view may have changed, else refreshed for the workers written. */
  snapshot(): MatchSnapshot {
    this.absorb();
    if (this.pool === undefined || this.poolRebuild) {
      this.poolRebuild = false;
      this.poolDirty.clear();
      this.pool = new MatchSnapshot(
        this.epoch,
        this.workers.values(),
        (w) => this.cachedCandidate(w),
        (jobId) => this.countOffers(jobId),
        (id) => this.workerOrder(id),
        () => ++this.stampCounter,
      );
    } else {
      const changed = this.poolDirty;
      if (changed.size > 0) this.poolDirty = new Set(); // fresh, not cleared: see absorb
      this.pool.refresh(this.epoch, changed, this.workerById);
    }
    return this.pool;
  }
}
