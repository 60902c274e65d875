// The routing runtime: jobs and workers, classification, queueing, matching, offers, assignments,
// exception policies, scheduled jobs and events.
//
// Handlers change state synchronously (so an HTTP answer reflects the request, as the service's
// does) and hand anything that may need a rule evaluation (classification, best-worker scoring) to
// one serial work queue. `idle()` resolves when that queue is drained, which is how tests wait for
// routing to settle without sleeping. Time-based work (offer expiry, waitTime triggers, selector
// expiry, scheduled activation, `closeAt`) runs from the injected Clock.
//
// Jobs and workers live in memory as typed objects and are written through to the emulator's store
// (collections "jobs" and "workers"), so a file-backed store keeps them across restarts; timers are
// re-armed from the stored state when the runtime starts.

import { randomUUID } from "node:crypto";
import type {
  ClassificationPolicy,
  DistributionMode,
  DistributionPolicy,
  ExceptionAction,
  ExceptionPolicy,
  JobMatchingMode,
  Labels,
  RouterJob,
  RouterJobAssignment,
  RouterJobNote,
  RouterJobOffer,
  RouterJobStatus,
  RouterQueue,
  RouterWorker,
  RouterWorkerSelector,
  RouterWorkerSelectorInput,
  RouterWorkerState,
} from "../../provider/client/models";
import { ROUTER_JOB_FIELDS, ROUTER_WORKER_FIELDS } from "../../provider/client/models";
import { modernKinds } from "../../provider/client/validation";
import type { ErrorDetail } from "../errors";
import type { EtagFactory } from "../etag";
import { secondResolution } from "../etag";
import type { JsonObject } from "../http";
import { orderKeys } from "../mergePatch";
import type { NewRecord, Store, StoredRecord } from "../store";
import { classify } from "../../routing/classification";
import { formatServiceTime, type Clock, type TimerHandle } from "../../routing/clock";
import {
  capacityCostFor,
  eligibleWorkers,
  selectWorkersForOffer,
  type CandidateWorker,
  type MatchableJob,
  type WorkerUsage,
} from "../../routing/distribution";
import {
  buildEvent,
  EventFeed,
  jobSubject,
  offerSubject,
  workerSubject,
  WebhookDelivery,
  type RouterEventName,
} from "./events";
import {
  effectiveActions,
  queueLengthRulesFired,
  upsertLabels,
  waitTimeSchedule,
  type ExceptionRuleLike,
} from "../../routing/exceptions";
import { RuleError, type HttpCaller, TokenCache } from "../../routing/rules";
import {
  activeSelectors,
  expireSelectors,
  matchesAll,
  materializeSelector,
  nextExpiry,
  selectorExpiryMs,
} from "../../routing/selectors";

export type JobBody = Omit<RouterJob, "id" | "etag">;
export type WorkerBody = Omit<RouterWorker, "id" | "etag">;

export interface JobState {
  id: string;
  job: JobBody;
  version: number;
  suffix: string;
  createdAt: string;
  lastModifiedMs: number;
  enqueuedAtMs?: number;
  /** Exception rules already fired during the current stay in a queue. */
  firedRules: string[];
  unassignmentCount: number;
  pendingClose?: { assignmentId: string; atMs: number };
}

export interface WorkerState {
  id: string;
  worker: WorkerBody;
  version: number;
  suffix: string;
  createdAt: string;
  lastModifiedMs: number;
  idleSinceMs: number;
  /** jobId -> retry time in ms; null: never again until the worker re-registers. */
  declines: Record<string, number | null>;
}

/** An error the HTTP layer turns into the service's envelope. */
export class RuntimeFailure extends Error {
  constructor(
    readonly kind: "badRequest" | "notFound" | "conflict",
    readonly details: ErrorDetail[],
  ) {
    super(details.map((d) => d.message).join("; "));
    this.name = "RuntimeFailure";
  }
}

const bad = (code: string, message: string): RuntimeFailure => new RuntimeFailure("badRequest", [{ code, message }]);
const notFound = (message: string): RuntimeFailure => new RuntimeFailure("notFound", [{ code: "NotFound", message }]);
const conflict = (message: string): RuntimeFailure => new RuntimeFailure("conflict", [{ code: "Conflict", message }]);

export const JOB_KEY_ORDER = ROUTER_JOB_FIELDS;
export const WORKER_KEY_ORDER = ROUTER_WORKER_FIELDS;

/** Statuses whose jobs no longer count as active (they never block deletes). */
const DONE: readonly RouterJobStatus[] = ["closed", "cancelled"];
export const isActive = (s: RouterJobStatus | undefined): boolean => !DONE.includes(s ?? "created");

function toJson(v: unknown): JsonObject {
  return JSON.parse(JSON.stringify(v)) as JsonObject;
}

/** Event Grid spells label operators differently from the REST API. */
const EVENT_OPERATOR: Record<string, string> = {
  equal: "Equal",
  notEqual: "NotEqual",
  lessThan: "Less",
  lessThanOrEqual: "LessThanOrEqual",
  greaterThan: "Greater",
  greaterThanOrEqual: "GreaterThanOrEqual",
};
function eventSelectors(list: readonly RouterWorkerSelector[] | undefined): Array<Record<string, unknown>> {
  return (list ?? []).map((s) => {
    const out: Record<string, unknown> = {
      key: s.key,
      labelOperator: EVENT_OPERATOR[s.labelOperator] ?? s.labelOperator,
      labelValue: s.value ?? null,
      state: s.status ?? "active",
    };
    if (s.expiresAfterSeconds !== undefined) out.ttlSeconds = s.expiresAfterSeconds;
    if (s.expiresAt !== undefined) out.expirationTime = s.expiresAt;
    return out;
  });
}
const pascal = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** A job's matching mode kind under its 2023-11-01 name (the service acts on `schedule-and-suspend` too). */
export function matchingKind(body: Pick<JobBody, "matchingMode">): JobMatchingMode["kind"] {
  const mm: JobMatchingMode = body.matchingMode ?? { kind: "queueAndMatch" };
  return modernKinds(mm).kind;
}

/** The requested time of a scheduleAndSuspend job (any spelling), else undefined. */
export function scheduleAtOf(body: Pick<JobBody, "matchingMode">): string | undefined {
  const mm = modernKinds(body.matchingMode);
  return mm?.kind === "scheduleAndSuspend" ? mm.scheduleAt : undefined;
}

export interface EngineOptions {
  store: Store;
  etags: EtagFactory;
  clock: Clock;
  http: HttpCaller;
  random: () => number;
  topic: string;
  eventWebhooks: readonly string[];
  webhookMaxAttempts?: number;
  webhookInitialBackoffMs?: number;
  log?: (message: string) => void;
}

/**
 * What a matching pass knows about workers and offers: each available worker's candidate view, the available
 * workers of each queue that have room, and how many offers each job has out. Before, every queued job rebuilt
 * every worker's view and counted offers across every worker, so a pass cost jobs × workers.
 *
 * It is kept across passes and brought up to date (`refresh`) for just the workers written since, whenever the
 * engine's write counter has moved from `epoch` (a pass's start, an HTTP request served while a scoring rule was
 * awaited, a selector expiring); the pass's own offers patch it with `update`. The engine rebuilds it whole when
 * every candidate view may have changed (see candidateCache).
 *
 * Handing selectWorkersForOffer only the available workers that list the queue and have room changes nothing it
 * decides: eligibleWorkers drops every other worker first, and the order among the rest is kept (registration
 * order). With offers left outstanding most workers are full, and scanning them for every queued job made a pass
 * cost jobs × workers.
 *
 * A job's offer count is looked up when the pass reaches the job (through the engine's index of who holds offers
 * for which job), not counted over every worker's offers up front. The counts looked up are forgotten at each
 * refresh; between refreshes only the pass's own offers (to other jobs) were written, so a live count is right.
 */
class MatchSnapshot {
  private readonly outstanding = new Map<string, number>();
  private readonly candidates = new Map<string, CandidateWorker>();
  /** The queues each available worker is listed under (its `lists` entries). */
  private readonly queuesOf = new Map<string, string[]>();
  private readonly lists = new Map<string, CandidateWorker[]>();

  constructor(
    public epoch: number,
    workers: readonly WorkerState[],
    private readonly build: (w: WorkerState) => CandidateWorker,
    private readonly countOffers: (jobId: string) => number,
    private readonly seqOf: (workerId: string) => number,
  ) {
    for (const w of workers) this.place(w);
  }

  /** Bring the snapshot up to `epoch` after the given workers (or their absence) changed. */
  refresh(epoch: number, changed: Iterable<string>, workerOf: (id: string) => WorkerState | undefined): void {
    this.epoch = epoch;
    this.outstanding.clear();
    for (const id of changed) {
      this.remove(id);
      const w = workerOf(id);
      if (w) this.place(w);
    }
  }

  private remove(id: string): void {
    const old = this.candidates.get(id);
    if (!old) return;
    this.candidates.delete(id);
    for (const q of this.queuesOf.get(id) ?? []) {
      const list = this.lists.get(q);
      const i = list ? list.indexOf(old) : -1;
      if (list && i >= 0) list.splice(i, 1);
    }
    this.queuesOf.delete(id);
  }

  private place(w: WorkerState): void {
    if (w.worker.state !== "active" || w.worker.availableForOffers !== true) return;
    const c = this.build(w);
    this.candidates.set(w.id, c);
    const queues = [...new Set(w.worker.queues ?? [])];
    this.queuesOf.set(w.id, queues);
    if (!hasRoom(c)) return;
    const seq = this.seqOf(w.id);
    for (const q of queues) {
      let list = this.lists.get(q);
      if (!list) {
        list = [];
        this.lists.set(q, list);
      }
      // Registration order: binary search for the first worker registered later.
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const other = list[mid];
        if (other !== undefined && this.seqOf(other.id) < seq) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, c);
    }
  }

  /** The available workers listing `queueId` that still have room on some channel, in registration order. */
  candidatesFor(queueId: string): CandidateWorker[] {
    let list = this.lists.get(queueId);
    if (!list) {
      list = [];
      this.lists.set(queueId, list);
    }
    return list;
  }

  /** How many offers the job has out. */
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
      const i = list ? list.indexOf(old) : -1;
      if (!list || i < 0) continue;
      if (room) list[i] = worker;
      else list.splice(i, 1);
    }
  }
}

/** A timer key's kind: the part before its first colon ("wait:job:rule" → "wait"). */
function timerKind(key: string): string {
  const i = key.indexOf(":");
  return i < 0 ? key : key.slice(0, i);
}

/** Whether some channel of the worker still fits one more job (capacity and the channel's job limit). */
function hasRoom(w: CandidateWorker): boolean {
  return w.channels.some((c) => capacityCostFor(w, c.channelId) !== undefined);
}

export class RoutingEngine {
  readonly jobs = new Map<string, JobState>();
  readonly workers = new Map<string, WorkerState>();
  readonly feed = new EventFeed();
  readonly delivery: WebhookDelivery | undefined;
  private readonly tokens = new TokenCache();
  private readonly timers = new Map<string, TimerHandle>();
  /** The keys of `timers` by kind (the part before the first colon: wait, offer, selexp...). */
  private readonly timerKeysByKind = new Map<string, Set<string>>();
  private readonly roundRobinCursor = new Map<string, string>();
  private chain: Promise<void> = Promise.resolve();
  private pendingTasks = 0;
  private idleWaiters: Array<() => void> = [];
  private matchQueued = false;
  private closed = false;
  /**
   * Counts writes of jobs and workers (every save and delete). A matching pass caches what it knows about workers
   * and offers; the cache is only trusted while this has not moved under it (see MatchSnapshot).
   */
  private stateEpoch = 0;
  /**
   * Jobs and workers written since the last stale-offer check, and the queues' bypassSelectors flags that check
   * saw: an offer whose job, worker and queue flag are all unchanged since it was last found valid is still valid
   * (time passing only expires selectors, which can only make more workers qualify), so it is not re-checked.
   */
  private changedJobs = new Set<string>();
  private changedWorkers = new Set<string>();
  private checkedBypass = new Map<string, boolean>();
  /**
   * Each worker's candidate view, kept across passes (rebuilding all of them on every pass dominated once the
   * quadratic parts were gone). A worker's entry is dropped whenever the worker is written. The view also holds the
   * channel of every job the worker has an offer or assignment for, so a job whose channel changes (or a deleted
   * job) drops every entry; `jobChannels` remembers each job's channel to notice that.
   */
  private readonly candidateCache = new Map<string, CandidateWorker>();
  private readonly jobChannels = new Map<string, string>();
  /**
   * Incremental matching. A pass used to sort every queued job of every queue and walk every worker's offers, so
   * with offers left outstanding each pass cost jobs × log jobs + offers, once per submitted job. Now it visits only
   * the "open" jobs: queued jobs not yet seen holding their maximum of offers (or with a selector still due to
   * expire, which a pass marks). A job leaves the open set only when a pass finds it saturated, and comes back
   * whenever it is written, one of its offers disappears (its holder was written), or its queue's distribution
   * settings change; nothing else can make a saturated job take another offer. Jobs and workers written since the
   * last pass are folded in by absorbChanges.
   *
   * `jobSeq` records the order jobs entered `jobs` (the tie-break of the service order, which used to come from
   * iterating that map); `queuedByQueue` the queued jobs per queue; `offerJobsOf` / `offerHolders` who holds offers
   * for which job, as of the last fold; `queueSettings` each queue's bypassSelectors / policy / maxConcurrentOffers
   * as the last pass saw them.
   */
  private readonly jobSeq = new WeakMap<JobState, number>();
  private nextJobSeq = 0;
  private matchDirtyJobs = new Set<string>();
  private matchDirtyWorkers = new Set<string>();
  private readonly queuedByQueue = new Map<string, Set<string>>();
  private readonly queuedQueueOf = new Map<string, string>();
  private readonly openJobs = new Set<string>();
  private readonly offerJobsOf = new Map<string, string[]>();
  private readonly offerHolders = new Map<string, Set<string>>();
  private readonly queueSettings = new Map<string, string>();
  /**
   * The matching snapshot kept across passes (see MatchSnapshot), the workers written since it was last brought up
   * to date, and whether it must be rebuilt whole (when candidateCache was cleared). `workerSeq` records the order
   * workers entered `workers` (registration order).
   */
  private pool: MatchSnapshot | undefined;
  private poolDirty = new Set<string>();
  private poolRebuild = false;
  private readonly workerSeq = new Map<string, number>();
  private nextWorkerSeq = 0;
  /** Set when a queue's bypassSelectors may have changed: the next stale-offer check looks at every offer. */
  private recheckAllOffers = true;

  constructor(private readonly o: EngineOptions) {
    if (o.eventWebhooks.length > 0) {
      const opts: ConstructorParameters<typeof WebhookDelivery>[0] = {
        urls: o.eventWebhooks,
        http: o.http,
        clock: o.clock,
      };
      if (o.webhookMaxAttempts !== undefined) opts.maxAttempts = o.webhookMaxAttempts;
      if (o.webhookInitialBackoffMs !== undefined) opts.initialBackoffMs = o.webhookInitialBackoffMs;
      if (o.log) opts.onError = o.log;
      this.delivery = new WebhookDelivery(opts);
    }
    this.load();
  }

  // ------------------------------------------------------------ infrastructure

  now(): number {
    return this.o.clock.now();
  }

  private log(message: string): void {
    this.o.log?.(message);
  }

  /** Run `task` after every task queued before it; errors are logged, never thrown at callers. */
  enqueue(task: () => Promise<void> | void): void {
    if (this.closed) return;
    this.pendingTasks++;
    this.chain = this.chain
      .then(task)
      .catch((err: unknown) => this.log(`routing task failed: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.pendingTasks--;
        if (this.pendingTasks === 0) {
          const w = this.idleWaiters;
          this.idleWaiters = [];
          for (const r of w) r();
        }
      });
  }

  /**
   * Resolves when no routing task is pending; with `deliveries`, also when no event POST is in flight
   * (HTTP answers do not wait for event webhooks, tests may).
   */
  async idle(deliveries = true): Promise<void> {
    for (;;) {
      if (this.pendingTasks > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      if (deliveries && this.delivery) await this.delivery.idle();
      if (this.pendingTasks === 0) return;
    }
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) this.o.clock.clearTimer(t);
    this.timers.clear();
    this.timerKeysByKind.clear();
    this.delivery?.close();
  }

  private setTimer(key: string, atMs: number, fn: () => void | Promise<void>): void {
    this.clearTimer(key);
    const handle = this.o.clock.setTimer(atMs, () => {
      this.timers.delete(key);
      this.timerKeysByKind.get(timerKind(key))?.delete(key);
      if (this.closed) return;
      return fn();
    });
    this.timers.set(key, handle);
    const kind = timerKind(key);
    let keys = this.timerKeysByKind.get(kind);
    if (!keys) {
      keys = new Set();
      this.timerKeysByKind.set(kind, keys);
    }
    keys.add(key);
  }

  private clearTimer(key: string): void {
    const t = this.timers.get(key);
    if (t) this.o.clock.clearTimer(t);
    this.timers.delete(key);
    this.timerKeysByKind.get(timerKind(key))?.delete(key);
  }

  /**
   * Clear every timer whose key starts with `prefix`. Only keys of the prefix's kind are scanned: scanning every
   * timer (one per outstanding offer) each time a job was queued made queueing cost O(offers).
   */
  private clearTimersWithPrefix(prefix: string): void {
    const keys = prefix.includes(":") ? this.timerKeysByKind.get(timerKind(prefix)) : this.timers.keys();
    for (const key of [...(keys ?? [])]) if (key.startsWith(prefix)) this.clearTimer(key);
  }

  emit(name: RouterEventName, subject: string, data: Record<string, unknown>): void {
    const e = buildEvent(name, subject, data, { nowMs: this.now(), topic: this.o.topic });
    this.feed.publish(e);
    this.delivery?.deliver(e);
  }

  // ------------------------------------------------------------ persistence

  private load(): void {
    for (const r of this.o.store.list("jobs")) {
      const meta = (r.meta ?? {}) as Partial<JobState>;
      const s: JobState = {
        id: r.id,
        job: r.body as unknown as JobBody,
        version: meta.version ?? 0,
        suffix: meta.suffix ?? this.o.etags.newSuffix(),
        createdAt: r.createdAt,
        lastModifiedMs: Date.parse(r.lastModified),
        firedRules: meta.firedRules ?? [],
        unassignmentCount: meta.unassignmentCount ?? 0,
      };
      if (meta.enqueuedAtMs !== undefined) s.enqueuedAtMs = meta.enqueuedAtMs;
      if (meta.pendingClose) s.pendingClose = meta.pendingClose;
      this.jobs.set(r.id, s);
      this.jobSeq.set(s, this.nextJobSeq++);
      this.matchDirtyJobs.add(r.id);
      this.jobChannels.set(r.id, s.job.channelId ?? "");
    }
    for (const r of this.o.store.list("workers")) {
      const meta = (r.meta ?? {}) as Partial<WorkerState>;
      this.workers.set(r.id, {
        id: r.id,
        worker: r.body as unknown as WorkerBody,
        version: meta.version ?? 0,
        suffix: meta.suffix ?? this.o.etags.newSuffix(),
        createdAt: r.createdAt,
        lastModifiedMs: Date.parse(r.lastModified),
        idleSinceMs: meta.idleSinceMs ?? this.now(),
        declines: meta.declines ?? {},
      });
      this.matchDirtyWorkers.add(r.id);
      this.workerSeq.set(r.id, this.nextWorkerSeq++);
    }
    this.rearmTimers();
  }

  /** After a restart: re-arm every timer the stored state implies. */
  private rearmTimers(): void {
    for (const w of this.workers.values()) {
      for (const offer of w.worker.offers ?? []) this.armOfferExpiry(w.id, offer);
    }
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

  newEtagSuffix(): string {
    return this.o.etags.newSuffix();
  }

  /** Stored records of jobs or workers, in insertion order (for listing and paging). */
  records(collection: "jobs" | "workers"): StoredRecord[] {
    return this.o.store.list(collection);
  }

  jobRecord(j: JobState): StoredRecord | undefined {
    return this.o.store.get("jobs", j.id);
  }

  /** One worker's stored record (a single lookup: listing every worker to find one made registration quadratic). */
  workerRecord(id: string): StoredRecord | undefined {
    return this.o.store.get("workers", id);
  }

  /** Write a job through to the store; `bump` counts a change (new ETag, Last-Modified). Returns the stored copy. */
  saveJob(j: JobState, bump = true): StoredRecord {
    const record = this.jobToStore(j, bump);
    return this.o.store.put("jobs", record);
  }

  /** saveJob when the stored record is not wanted back: handed over to the store without copies (see putOwned). */
  private writeJob(j: JobState, bump = true): void {
    const record = this.jobToStore(j, bump);
    if (this.o.store.putOwned) this.o.store.putOwned("jobs", record);
    else this.o.store.put("jobs", record);
  }

  /** The bookkeeping of a job write, and the record to store (built fresh: toJson copies). */
  private jobToStore(j: JobState, bump: boolean): NewRecord {
    this.stateEpoch++;
    this.changedJobs.add(j.id);
    this.matchDirtyJobs.add(j.id);
    if (!this.jobSeq.has(j) && this.jobs.get(j.id) === j) this.jobSeq.set(j, this.nextJobSeq++);
    const channel = j.job.channelId ?? "";
    const knownChannel = this.jobChannels.get(j.id);
    if (knownChannel !== undefined && knownChannel !== channel) {
      this.candidateCache.clear();
      this.poolRebuild = true;
    }
    this.jobChannels.set(j.id, channel);
    if (bump) {
      j.version++;
      j.lastModifiedMs = this.now();
    }
    const meta: Record<string, unknown> = {
      version: j.version,
      suffix: j.suffix,
      firedRules: j.firedRules,
      unassignmentCount: j.unassignmentCount,
    };
    if (j.enqueuedAtMs !== undefined) meta.enqueuedAtMs = j.enqueuedAtMs;
    if (j.pendingClose) meta.pendingClose = j.pendingClose;
    return {
      id: j.id,
      etag: this.o.etags.versioned(j.version, j.suffix),
      lastModified: secondResolution(new Date(j.lastModifiedMs)),
      createdAt: j.createdAt,
      body: orderKeys(toJson(j.job), JOB_KEY_ORDER),
      meta: toJson(meta),
    };
  }

  /** Write a worker through to the store (its record is read back through workerRecord when needed). */
  saveWorker(w: WorkerState, bump = true): void {
    this.stateEpoch++;
    this.changedWorkers.add(w.id);
    this.matchDirtyWorkers.add(w.id);
    this.poolDirty.add(w.id);
    if (!this.workerSeq.has(w.id) && this.workers.get(w.id) === w) this.workerSeq.set(w.id, this.nextWorkerSeq++);
    this.candidateCache.delete(w.id);
    if (bump) {
      w.version++;
      w.lastModifiedMs = this.now();
    }
    w.worker.loadRatio = this.loadRatioOf(w);
    // Built fresh here (toJson copies) and handed over: the store need not copy it again.
    const record = {
      id: w.id,
      etag: this.o.etags.versioned(w.version, w.suffix),
      lastModified: secondResolution(new Date(w.lastModifiedMs)),
      createdAt: w.createdAt,
      body: orderKeys(toJson(w.worker), WORKER_KEY_ORDER),
      meta: toJson({ version: w.version, suffix: w.suffix, idleSinceMs: w.idleSinceMs, declines: w.declines }),
    };
    if (this.o.store.putOwned) this.o.store.putOwned("workers", record);
    else this.o.store.put("workers", record);
  }

  // ------------------------------------------------------------ admin lookups (owned by the admin handlers)

  /**
   * An administration object as routing reads it: old kebab-case kinds under their 2023-11-01 names, since the
   * service acts on them (a `static-rule` prioritization gives the priority) while echoing them as sent.
   */
  private admin<T>(collection: string, id: string | undefined): T | undefined {
    if (!id) return undefined;
    const r = this.o.store.get(collection, id);
    return r ? modernKinds({ id: r.id, etag: r.etag, ...r.body } as unknown as T) : undefined;
  }
  queue(id: string | undefined): RouterQueue | undefined {
    return this.admin<RouterQueue>("queues", id);
  }
  classificationPolicy(id: string | undefined): ClassificationPolicy | undefined {
    return this.admin<ClassificationPolicy>("classificationPolicies", id);
  }
  exceptionPolicy(id: string | undefined): ExceptionPolicy | undefined {
    return this.admin<ExceptionPolicy>("exceptionPolicies", id);
  }
  distributionPolicy(id: string | undefined): DistributionPolicy | undefined {
    return this.admin<DistributionPolicy>("distributionPolicies", id);
  }

  /** The policy's mode (kinds are already modern: see admin()). */
  private modeOf(dp: DistributionPolicy): DistributionMode {
    return dp.mode ?? { kind: "longestIdle" };
  }

  // ------------------------------------------------------------ events

  private jobEventBase(j: JobState): Record<string, unknown> {
    const d: Record<string, unknown> = { jobId: j.id };
    if (j.job.channelReference !== undefined) d.channelReference = j.job.channelReference;
    d.channelId = j.job.channelId;
    if (j.job.queueId !== undefined) d.queueId = j.job.queueId;
    d.labels = j.job.labels ?? {};
    d.tags = j.job.tags ?? {};
    return d;
  }

  private emitJob(name: RouterEventName, j: JobState, extra: Record<string, unknown> = {}): void {
    this.emit(name, jobSubject(j.id, j.job.channelId), { ...this.jobEventBase(j), ...extra });
  }

  private emitOffer(
    name: RouterEventName,
    w: WorkerState,
    j: JobState | undefined,
    jobId: string,
    offerId: string,
    extra: Record<string, unknown> = {},
  ): void {
    const data: Record<string, unknown> = { workerId: w.id, jobId };
    if (j?.job.channelReference !== undefined) data.channelReference = j.job.channelReference;
    data.channelId = j?.job.channelId;
    data.queueId = j?.job.queueId;
    data.offerId = offerId;
    this.emit(name, offerSubject(w.id, jobId, j?.job.channelId), { ...data, ...extra });
  }

  private workerRegistrationData(w: WorkerState): Record<string, unknown> {
    return {
      workerId: w.id,
      queueAssignments: (w.worker.queues ?? []).map((qid) => {
        const q = this.queue(qid);
        return { id: qid, name: q?.name, labels: q?.labels ?? {} };
      }),
      channelConfigurations: w.worker.channels ?? [],
      totalCapacity: w.worker.capacity ?? 0,
      labels: w.worker.labels ?? {},
      tags: w.worker.tags ?? {},
    };
  }

  // ------------------------------------------------------------ queues

  /**
   * Queued jobs of a queue in service order: jobs with an active `expedite` selector first ([spec] "pushes a
   * job to the front of the queue as long as this selector is active"), then priority (high first), then
   * enqueue time.
   */
  queuedJobs(queueId: string, among?: ReadonlySet<string>): JobState[] {
    const now = this.now();
    const expedited = (j: JobState): boolean =>
      activeSelectors([...(j.job.requestedWorkerSelectors ?? []), ...(j.job.attachedWorkerSelectors ?? [])], now).some(
        (s) => s.expedite === true,
      );
    // Sort keys are computed once per job, not in the comparator: with thousands of queued jobs the comparator
    // runs n·log n times and each call re-derived both jobs' active selectors.
    const keyed: Array<{ j: JobState; e: number; p: number; t: number; s: number }> = [];
    this.absorbChanges();
    // The index holds jobs with a queue id; an empty one (never routed, but askable) is looked up the long way.
    const members = queueId ? this.queuedByQueue.get(queueId) : this.queuedWithoutQueueId();
    if (!members) return [];
    // The smaller of the two sets is walked; the other answers membership.
    const [walk, other] = among !== undefined && among.size < members.size ? [among, members] : [members, among];
    for (const id of walk) {
      if (other !== undefined && !other.has(id)) continue;
      const j = this.jobs.get(id);
      if (!j || j.job.status !== "queued" || j.job.queueId !== queueId) continue;
      keyed.push({ j, e: Number(expedited(j)), p: j.job.priority ?? 1, t: j.enqueuedAtMs ?? 0, s: this.seqOf(j) });
    }
    // Equal keys keep the order in which the jobs were created (the order of `jobs`), as before.
    keyed.sort((a, b) => b.e - a.e || b.p - a.p || a.t - b.t || a.s - b.s);
    return keyed.map((k) => k.j);
  }

  private queuedWithoutQueueId(): Set<string> {
    const ids = new Set<string>();
    for (const j of this.jobs.values()) if (j.job.status === "queued" && !j.job.queueId) ids.add(j.id);
    return ids;
  }

  private seqOf(j: JobState): number {
    let n = this.jobSeq.get(j);
    if (n === undefined) {
      n = this.nextJobSeq++;
      this.jobSeq.set(j, n);
    }
    return n;
  }

  /**
   * Fold the jobs and workers written since the last call into the matching indexes (see openJobs): queue
   * membership, who holds offers for which job, and which jobs are open again.
   */
  private absorbChanges(): void {
    if (this.matchDirtyWorkers.size > 0) {
      const dirty = this.matchDirtyWorkers;
      this.matchDirtyWorkers = new Set();
      for (const id of dirty) {
        const before = this.offerJobsOf.get(id) ?? [];
        const w = this.workers.get(id);
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
          if (!set) {
            set = new Set();
            this.offerHolders.set(jobId, set);
          }
          set.add(id);
        }
        if (after.length > 0) this.offerJobsOf.set(id, after);
        else this.offerJobsOf.delete(id);
      }
    }
    if (this.matchDirtyJobs.size > 0) {
      const dirty = this.matchDirtyJobs;
      this.matchDirtyJobs = new Set();
      for (const id of dirty) {
        const j = this.jobs.get(id);
        const q = j !== undefined && j.job.status === "queued" && j.job.queueId ? j.job.queueId : undefined;
        const prev = this.queuedQueueOf.get(id);
        if (prev !== q) {
          if (prev !== undefined) this.queuedByQueue.get(prev)?.delete(id);
          if (q !== undefined) {
            let set = this.queuedByQueue.get(q);
            if (!set) {
              set = new Set();
              this.queuedByQueue.set(q, set);
            }
            set.add(id);
            this.queuedQueueOf.set(id, q);
          } else this.queuedQueueOf.delete(id);
        }
        if (q !== undefined) this.openJobs.add(id);
        else this.openJobs.delete(id);
      }
    }
  }

  /** Offers out for a job, counted on the workers that hold them (offerHolders is current after absorbChanges). */
  private countOffers(jobId: string): number {
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
  private checkQueueSettings(queueId: string): void {
    const dp = this.distributionPolicy(this.queue(queueId)?.distributionPolicyId);
    const mode = dp ? this.modeOf(dp) : undefined;
    const settings = JSON.stringify([dp?.id ?? null, mode?.bypassSelectors ?? false, mode?.maxConcurrentOffers ?? 1]);
    if (this.queueSettings.get(queueId) === settings) return;
    this.queueSettings.set(queueId, settings);
    this.recheckAllOffers = true;
    for (const id of this.queuedByQueue.get(queueId) ?? []) this.openJobs.add(id);
  }

  /** Whether a selector of the job has an expiry not yet marked (a matching pass marks it when due). */
  private hasPendingExpiry(j: JobState): boolean {
    for (const sel of [...(j.job.requestedWorkerSelectors ?? []), ...(j.job.attachedWorkerSelectors ?? [])]) {
      if (sel.status !== "expired" && selectorExpiryMs(sel) !== undefined) return true;
    }
    return false;
  }

  /** How many jobs are queued in a queue (the queueLength exception trigger needs the count, not the order). */
  private queuedCount(queueId: string): number {
    let n = 0;
    for (const j of this.jobs.values()) if (j.job.status === "queued" && j.job.queueId === queueId) n++;
    return n;
  }

  // ------------------------------------------------------------ job lifecycle

  /** After a job is created: announce it and start what its matching mode asks for. */
  startNewJob(j: JobState): void {
    const mm = matchingKind(j.job);
    this.emitJob("RouterJobReceived", j, {
      jobStatus: pascal(j.job.status ?? "created"),
      classificationPolicyId: j.job.classificationPolicyId,
      priority: j.job.priority,
      requestedWorkerSelectors: eventSelectors(j.job.requestedWorkerSelectors),
      scheduledOn: mm === "scheduleAndSuspend" ? scheduleAtOf(j.job) : undefined,
      unavailableForMatching: mm !== "queueAndMatch",
    });
    if (mm === "scheduleAndSuspend") this.enqueue(() => this.scheduleJob(j.id));
    else if (mm === "suspend") this.emitJob("RouterJobWaitingForActivation", j, this.waitingData(j));
    else this.continueRouting(j);
  }

  /** The status a new or re-activated job starts in, before any routing work. */
  initialStatus(body: JobBody): RouterJobStatus {
    const mm = matchingKind(body);
    if (mm === "scheduleAndSuspend") return "pendingSchedule";
    if (mm === "suspend") return "waitingForActivation";
    // [rec: Python SDK, 2023-11-01] a job created with only a queueId answers "created" and is queued just after
    return body.classificationPolicyId ? "pendingClassification" : "created";
  }

  /** Classify (async) or queue (now) a job that is ready for routing. */
  continueRouting(j: JobState): void {
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

  private waitingData(j: JobState): Record<string, unknown> {
    const now = this.now();
    const expired = (l: RouterWorkerSelector[] | undefined) =>
      eventSelectors(
        (l ?? []).filter(
          (s) => s.status === "expired" || (s.expiresAt !== undefined && Date.parse(s.expiresAt) <= now),
        ),
      );
    return {
      priority: j.job.priority,
      expiredAttachedWorkerSelectors: expired(j.job.attachedWorkerSelectors),
      expiredRequestedWorkerSelectors: expired(j.job.requestedWorkerSelectors),
      scheduledOn: j.job.scheduledAt,
      unavailableForMatching: true,
    };
  }

  /** Drop a scheduled job's activation timer (it is being activated now, or leaving scheduleAndSuspend). */
  cancelSchedule(j: JobState): void {
    this.clearTimer(`sched:${j.id}`);
  }

  /** scheduleAndSuspend: pendingSchedule -> scheduled (timer) -> waitingForActivation. */
  private scheduleJob(id: string): void {
    const j = this.jobs.get(id);
    if (!j || (j.job.status !== "pendingSchedule" && j.job.status !== "scheduled")) return;
    const at = matchingKind(j.job) === "scheduleAndSuspend" ? Date.parse(scheduleAtOf(j.job) ?? "") : Number.NaN;
    if (Number.isNaN(at)) {
      j.job.status = "scheduleFailed";
      this.writeJob(j);
      this.emitJob("RouterJobSchedulingFailed", j, {
        priority: j.job.priority,
        expiredAttachedWorkerSelectors: [],
        expiredRequestedWorkerSelectors: [],
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
    this.setTimer(`sched:${id}`, at, () => {
      const cur = this.jobs.get(id);
      if (!cur || cur.job.status !== "scheduled") return;
      cur.job.status = "waitingForActivation";
      this.writeJob(cur);
      this.emitJob("RouterJobWaitingForActivation", cur, this.waitingData(cur));
    });
  }

  /** Classification of a pendingClassification job (a queued task). */
  async classifyJob(id: string): Promise<void> {
    const j = this.jobs.get(id);
    if (!j || j.job.status !== "pendingClassification") return;
    const policy = this.classificationPolicy(j.job.classificationPolicyId);
    const fail = (errors: ErrorDetail[]): void => {
      j.job.status = "classificationFailed";
      this.writeJob(j);
      this.emitJob("RouterJobClassificationFailed", j, {
        classificationPolicyId: j.job.classificationPolicyId,
        errors,
      });
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
    const queues = this.o.store.list("queues").map((r) => ({ id: r.id, labels: (r.body["labels"] ?? {}) as Labels }));
    const input: { labels: Labels; queueId?: string; priority?: number } = { labels: j.job.labels ?? {} };
    if (j.job.queueId !== undefined) input.queueId = j.job.queueId;
    if (j.job.priority !== undefined) input.priority = j.job.priority;
    const result = await classify(input, policy, queues, {
      http: this.o.http,
      tokens: this.tokens,
      random: this.o.random,
      now: () => this.now(),
    });
    // The job may have been cancelled or changed while rules were evaluated.
    if (j.job.status !== "pendingClassification" || this.jobs.get(id) !== j) return;
    if (!result.ok) {
      fail(result.errors);
      return;
    }
    const queue = this.queue(result.queueId);
    if (!queue) {
      fail([{ code: "QueueNotFound", message: `the selected queue ${result.queueId} does not exist` }]);
      return;
    }
    j.job.queueId = result.queueId;
    if (result.priority !== undefined) j.job.priority = result.priority;
    j.job.attachedWorkerSelectors = result.attachedWorkerSelectors;
    this.writeJob(j);
    this.emitJob("RouterJobClassified", j, {
      queueDetails: { id: queue.id, name: queue.name, labels: queue.labels ?? {} },
      classificationPolicyId: policy.id,
      priority: j.job.priority,
      attachedWorkerSelectors: eventSelectors(j.job.attachedWorkerSelectors),
    });
    this.queueJob(j);
  }

  /** Put a job in its queue, fire queueLength exceptions, arm waitTime and selector-expiry timers. */
  queueJob(j: JobState): void {
    j.job.status = "queued";
    j.enqueuedAtMs = this.now();
    j.job.enqueuedAt = formatServiceTime(j.enqueuedAtMs);
    j.firedRules = [];
    this.writeJob(j);
    this.emitJob("RouterJobQueued", j, {
      priority: j.job.priority,
      attachedWorkerSelectors: eventSelectors(j.job.attachedWorkerSelectors),
      requestedWorkerSelectors: eventSelectors(j.job.requestedWorkerSelectors),
    });
    this.armSelectorExpiry(j);
    const queue = this.queue(j.job.queueId);
    const policy = this.exceptionPolicy(queue?.exceptionPolicyId);
    if (policy && j.job.queueId) {
      const length = this.queuedCount(j.job.queueId);
      for (const rule of queueLengthRulesFired(policy, length)) {
        if (j.job.status !== "queued") break;
        this.fireException(j, rule);
      }
    }
    if (j.job.status === "queued") this.armWaitTime(j);
    this.requestMatch();
  }

  private armWaitTime(j: JobState): void {
    this.clearTimersWithPrefix(`wait:${j.id}:`);
    const queue = this.queue(j.job.queueId);
    const policy = this.exceptionPolicy(queue?.exceptionPolicyId);
    if (!policy || j.enqueuedAtMs === undefined) return;
    const stay = j.enqueuedAtMs;
    for (const { rule, atMs } of waitTimeSchedule(policy, stay)) {
      if (j.firedRules.includes(rule.id)) continue;
      this.setTimer(`wait:${j.id}:${rule.id}`, atMs, () => {
        const cur = this.jobs.get(j.id);
        if (!cur || cur.job.status !== "queued" || cur.enqueuedAtMs !== stay) return;
        this.fireException(cur, rule);
      });
    }
  }

  private armSelectorExpiry(j: JobState): void {
    const all = [...(j.job.requestedWorkerSelectors ?? []), ...(j.job.attachedWorkerSelectors ?? [])];
    const at = nextExpiry(all, this.now());
    if (at === undefined) {
      this.clearTimer(`selexp:${j.id}`);
      return;
    }
    this.setTimer(`selexp:${j.id}`, at, () => {
      const cur = this.jobs.get(j.id);
      if (!cur || !isActive(cur.job.status)) return;
      this.expireJobSelectors(cur);
      this.armSelectorExpiry(cur);
      this.requestMatch();
    });
  }

  /** Mark due selectors expired; emits RouterJobWorkerSelectorsExpired when any did. */
  private expireJobSelectors(j: JobState): void {
    const now = this.now();
    const req = expireSelectors(j.job.requestedWorkerSelectors ?? [], now);
    const att = expireSelectors(j.job.attachedWorkerSelectors ?? [], now);
    if (req.newlyExpired.length === 0 && att.newlyExpired.length === 0) return;
    j.job.requestedWorkerSelectors = req.selectors;
    j.job.attachedWorkerSelectors = att.selectors;
    this.writeJob(j);
    this.emitJob("RouterJobWorkerSelectorsExpired", j, {
      expiredRequestedWorkerSelectors: eventSelectors(req.newlyExpired),
      expiredAttachedWorkerSelectors: eventSelectors(att.newlyExpired),
    });
  }

  /** Run one exception rule's actions on a queued job (at most once per stay in a queue). */
  fireException(j: JobState, rule: ExceptionRuleLike): void {
    if (j.firedRules.includes(rule.id)) return;
    j.firedRules.push(rule.id);
    this.writeJob(j);
    this.emitJob("RouterJobExceptionTriggered", j, { ruleKey: rule.id, exceptionRuleId: rule.id });
    for (const action of effectiveActions(rule.actions)) this.applyExceptionAction(j, action);
  }

  private applyExceptionAction(j: JobState, a: ExceptionAction): void {
    if (j.job.status !== "queued") return;
    switch (a.kind) {
      case "cancel":
        this.cancelJob(j, { note: a.note, dispositionCode: a.dispositionCode });
        return;
      case "reclassify": {
        this.revokeOffersForJob(j);
        this.clearTimersWithPrefix(`wait:${j.id}:`);
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
        this.clearTimersWithPrefix(`wait:${j.id}:`);
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

  private addNote(j: JobState, note: string | undefined): void {
    if (note === undefined || note === null || note === "") return;
    const n: RouterJobNote = { message: note, addedAt: formatServiceTime(this.now()) };
    j.job.notes = [...(j.job.notes ?? []), n];
  }

  cancelJob(j: JobState, opts: { note?: string | undefined; dispositionCode?: string | undefined }): void {
    if (!isActive(j.job.status)) {
      throw bad("InvalidJobStatus", `job ${j.id} is ${j.job.status ?? "unknown"} and cannot be cancelled`);
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
    this.emitJob("RouterJobCancelled", j, { note: opts.note, dispositionCode: j.job.dispositionCode });
    this.requestMatch();
  }

  private clearJobTimers(jobId: string): void {
    this.clearTimersWithPrefix(`wait:${jobId}:`);
    this.clearTimer(`selexp:${jobId}`);
    this.clearTimer(`sched:${jobId}`);
  }

  reclassifyJob(j: JobState): void {
    if (!j.job.classificationPolicyId)
      throw bad("ClassificationPolicyRequired", `classificationPolicyId: job ${j.id} has none to reclassify with`);
    if (
      !["queued", "classificationFailed", "pendingClassification", "waitingForActivation"].includes(j.job.status ?? "")
    ) {
      throw bad(
        "InvalidJobStatus",
        `job ${j.id} is ${j.job.status ?? "unknown"}; only queued, classificationFailed or waiting jobs can be reclassified`,
      );
    }
    this.revokeOffersForJob(j);
    this.clearTimersWithPrefix(`wait:${j.id}:`);
    j.job.status = "pendingClassification";
    this.writeJob(j);
    this.enqueue(() => this.classifyJob(j.id));
  }

  private assignmentOf(j: JobState, assignmentId: string): RouterJobAssignment {
    const a = j.job.assignments?.[assignmentId];
    if (!a) throw notFound(`assignment ${assignmentId} of job ${j.id} does not exist`);
    return a;
  }

  completeJob(j: JobState, assignmentId: string, note: string | undefined): void {
    const a = this.assignmentOf(j, assignmentId);
    if (j.job.status !== "assigned")
      throw bad(
        "InvalidJobStatus",
        `job ${j.id} is ${j.job.status ?? "unknown"}; only an assigned job can be completed`,
      );
    a.completedAt = formatServiceTime(this.now());
    j.job.status = "completed";
    this.addNote(j, note);
    this.writeJob(j);
    this.emitJob("RouterJobCompleted", j, { assignmentId, workerId: a.workerId });
  }

  closeJob(
    j: JobState,
    assignmentId: string,
    opts: { dispositionCode?: string | undefined; closeAt?: number | undefined; note?: string | undefined },
  ): void {
    const a = this.assignmentOf(j, assignmentId);
    if (j.job.status !== "completed")
      throw bad("InvalidJobStatus", `job ${j.id} is ${j.job.status ?? "unknown"}; only a completed job can be closed`);
    if (j.pendingClose)
      throw bad("InvalidJobStatus", `job ${j.id} is already closing at ${formatServiceTime(j.pendingClose.atMs)}`);
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

  private armClose(j: JobState): void {
    const pc = j.pendingClose;
    if (!pc) return;
    this.setTimer(`close:${j.id}`, pc.atMs, () => {
      const cur = this.jobs.get(j.id);
      if (!cur || !cur.pendingClose || cur.job.status !== "completed") return;
      const a = cur.job.assignments?.[cur.pendingClose.assignmentId];
      delete cur.pendingClose;
      if (a) this.finishClose(cur, a);
    });
  }

  private finishClose(j: JobState, a: RouterJobAssignment): void {
    a.closedAt = formatServiceTime(this.now());
    j.job.status = "closed";
    delete j.pendingClose;
    this.writeJob(j);
    if (a.workerId) this.releaseCapacity(a.workerId, a.assignmentId);
    this.emitJob("RouterJobClosed", j, {
      assignmentId: a.assignmentId,
      workerId: a.workerId,
      dispositionCode: j.job.dispositionCode,
    });
    this.requestMatch();
  }

  unassignJob(
    j: JobState,
    assignmentId: string,
    suspendMatching: boolean,
  ): { jobId: string; unassignmentCount: number } {
    const a = this.assignmentOf(j, assignmentId);
    if (j.job.status !== "assigned")
      throw bad(
        "InvalidJobStatus",
        `job ${j.id} is ${j.job.status ?? "unknown"}; only an assigned job can be unassigned`,
      );
    // [spec] "at a maximum 3" unassignments
    if (j.unassignmentCount >= 3)
      throw bad("MaxUnassignmentCountReached", `job ${j.id} has been unassigned 3 times, the maximum`);
    if (a.workerId) this.releaseCapacity(a.workerId, a.assignmentId);
    const rest: Record<string, RouterJobAssignment> = { ...(j.job.assignments ?? {}) };
    delete rest[assignmentId];
    j.job.assignments = rest;
    j.unassignmentCount++;
    this.emitJob("RouterJobUnassigned", j, { assignmentId, workerId: a.workerId });
    if (suspendMatching) {
      j.job.status = "waitingForActivation";
      this.writeJob(j);
      this.emitJob("RouterJobWaitingForActivation", j, this.waitingData(j));
    } else {
      this.queueJob(j);
    }
    this.requestMatch();
    return { jobId: j.id, unassignmentCount: j.unassignmentCount };
  }

  deleteJob(j: JobState): void {
    if (j.job.status === "assigned" || j.job.status === "completed") {
      // [guess: deleting a job that holds worker capacity is refused; never recorded]
      throw conflict(`Job ${j.id} is ${j.job.status}; close or cancel it before deleting it`);
    }
    this.revokeOffersForJob(j);
    this.clearJobTimers(j.id);
    this.clearTimer(`close:${j.id}`);
    this.jobs.delete(j.id);
    this.stateEpoch++;
    this.changedJobs.add(j.id);
    this.matchDirtyJobs.add(j.id);
    this.jobChannels.delete(j.id);
    this.candidateCache.clear();
    this.poolRebuild = true;
    this.o.store.delete("jobs", j.id);
    this.emitJob("RouterJobDeleted", j);
    this.requestMatch();
  }

  // ------------------------------------------------------------ workers

  loadRatioOf(w: WorkerState): number {
    const cap = w.worker.capacity ?? 0;
    if (cap <= 0) return 0;
    // [rec: Python SDK, 2023-11-01] outstanding offers count: one open offer of cost 1 on capacity 1 reads 1
    const held = [...(w.worker.assignedJobs ?? []), ...(w.worker.offers ?? [])];
    const used = held.reduce((s, a) => s + a.capacityCost, 0);
    return Math.min(1, used / cap);
  }

  /** State and events after a worker upsert; `before` is the state prior to the change. */
  afterWorkerUpsert(w: WorkerState, before: WorkerBody | undefined, created: boolean): void {
    const wasActive = before?.state === "active";
    const wantsActive = w.worker.availableForOffers === true;
    if (wantsActive && !wasActive) {
      w.worker.state = "active";
      w.idleSinceMs = this.now();
      // [spec] a declined job is offered again once the worker de-registers and re-registers
      w.declines = {};
      this.saveWorker(w, !created);
      this.emit("RouterWorkerRegistered", workerSubject(w.id), this.workerRegistrationData(w));
    } else if (!wantsActive && (wasActive || created)) {
      this.revokeOffersForWorker(w);
      w.worker.state = this.inactiveState(w);
      this.saveWorker(w, !created);
      if (wasActive) this.emit("RouterWorkerDeregistered", workerSubject(w.id), { workerId: w.id });
    } else if (before && wantsActive) {
      const changed: string[] = [];
      const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
      if (!same(before.capacity, w.worker.capacity)) changed.push("TotalCapacity");
      if (!same(before.queues, w.worker.queues)) changed.push("QueueAssignments");
      if (!same(before.labels, w.worker.labels)) changed.push("Labels");
      if (!same(before.tags, w.worker.tags)) changed.push("Tags");
      if (!same(before.channels, w.worker.channels)) changed.push("ChannelConfigurations");
      if (changed.length > 0)
        this.emit("RouterWorkerUpdated", workerSubject(w.id), {
          ...this.workerRegistrationData(w),
          updatedWorkerProperties: changed,
        });
    }
    this.requestMatch();
  }

  private inactiveState(w: WorkerState): RouterWorkerState {
    // [spec] draining: not active, existing work still in progress
    return (w.worker.assignedJobs ?? []).length > 0 ? "draining" : "inactive";
  }

  deleteWorker(w: WorkerState): void {
    if ((w.worker.assignedJobs ?? []).length > 0) {
      // [guess: never recorded; a worker holding assignments cannot vanish]
      throw conflict(`Worker ${w.id} has assigned jobs; close them before deleting the worker`);
    }
    this.revokeOffersForWorker(w);
    this.workers.delete(w.id);
    this.stateEpoch++;
    this.matchDirtyWorkers.add(w.id);
    this.poolDirty.add(w.id);
    this.workerSeq.delete(w.id);
    this.candidateCache.delete(w.id);
    this.o.store.delete("workers", w.id);
    this.emit("RouterWorkerDeleted", workerSubject(w.id), { workerId: w.id });
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
    this.saveWorker(w);
  }

  // ------------------------------------------------------------ offers

  private armOfferExpiry(workerId: string, offer: RouterJobOffer): void {
    if (!offer.expiresAt) return;
    const at = Date.parse(offer.expiresAt);
    if (Number.isNaN(at)) return;
    this.setTimer(`offer:${offer.offerId}`, at, () => {
      const w = this.workers.get(workerId);
      if (!w || !(w.worker.offers ?? []).some((o) => o.offerId === offer.offerId)) return;
      w.worker.offers = (w.worker.offers ?? []).filter((o) => o.offerId !== offer.offerId);
      this.saveWorker(w);
      this.emitOffer("RouterWorkerOfferExpired", w, this.jobs.get(offer.jobId), offer.jobId, offer.offerId);
      this.requestMatch();
    });
  }

  private removeOffer(w: WorkerState, offerId: string): RouterJobOffer | undefined {
    const offer = (w.worker.offers ?? []).find((o) => o.offerId === offerId);
    if (!offer) return undefined;
    w.worker.offers = (w.worker.offers ?? []).filter((o) => o.offerId !== offerId);
    this.clearTimer(`offer:${offerId}`);
    return offer;
  }

  revokeOffersForJob(j: JobState, exceptWorkerId?: string): void {
    for (const w of this.workers.values()) {
      if (w.id === exceptWorkerId) continue;
      for (const offer of (w.worker.offers ?? []).filter((o) => o.jobId === j.id)) {
        this.removeOffer(w, offer.offerId);
        this.saveWorker(w);
        this.emitOffer("RouterWorkerOfferRevoked", w, j, j.id, offer.offerId);
      }
    }
  }

  private revokeOffersForWorker(w: WorkerState): void {
    const offers = [...(w.worker.offers ?? [])];
    for (const offer of offers) {
      this.removeOffer(w, offer.offerId);
      this.emitOffer("RouterWorkerOfferRevoked", w, this.jobs.get(offer.jobId), offer.jobId, offer.offerId);
    }
    if (offers.length > 0) this.saveWorker(w);
  }

  findOffer(w: WorkerState, offerId: string): RouterJobOffer {
    const offer = (w.worker.offers ?? []).find((o) => o.offerId === offerId);
    if (!offer)
      throw notFound(`offer ${offerId} of worker ${w.id} does not exist (it may have expired or been revoked)`);
    return offer;
  }

  acceptOffer(w: WorkerState, offerId: string): { assignmentId: string; jobId: string; workerId: string } {
    const offer = this.findOffer(w, offerId);
    const j = this.jobs.get(offer.jobId);
    if (!j) throw notFound(`job ${offer.jobId} of offer ${offerId} no longer exists`);
    if (j.job.status !== "queued") {
      // [spec] "returns a 409/Conflict if another agent accepted the job already"
      throw conflict(`Job ${j.id} is ${j.job.status ?? "unknown"} and can no longer be accepted`);
    }
    this.removeOffer(w, offerId);
    const assignmentId = randomUUID();
    const assignedAt = formatServiceTime(this.now());
    w.worker.assignedJobs = [
      ...(w.worker.assignedJobs ?? []),
      { assignmentId, jobId: j.id, capacityCost: offer.capacityCost, assignedAt },
    ];
    this.saveWorker(w);
    j.job.status = "assigned";
    j.job.assignments = { ...(j.job.assignments ?? {}), [assignmentId]: { assignmentId, workerId: w.id, assignedAt } };
    this.clearJobTimers(j.id);
    this.writeJob(j);
    this.emitOffer("RouterWorkerOfferAccepted", w, j, j.id, offerId, {
      assignmentId,
      jobPriority: j.job.priority,
      workerLabels: w.worker.labels ?? {},
      workerTags: w.worker.tags ?? {},
      jobLabels: j.job.labels ?? {},
      jobTags: j.job.tags ?? {},
    });
    this.revokeOffersForJob(j, w.id);
    this.requestMatch();
    return { assignmentId, jobId: j.id, workerId: w.id };
  }

  declineOffer(w: WorkerState, offerId: string, retryAtMs: number | undefined): void {
    const offer = this.findOffer(w, offerId);
    this.removeOffer(w, offerId);
    w.declines = { ...w.declines, [offer.jobId]: retryAtMs ?? null };
    this.saveWorker(w);
    this.emitOffer("RouterWorkerOfferDeclined", w, this.jobs.get(offer.jobId), offer.jobId, offerId);
    if (retryAtMs !== undefined && retryAtMs > this.now()) {
      // [spec] at the retry time the job is re-matched, the declining worker eligible again
      this.setTimer(`retry:${w.id}:${offer.jobId}`, retryAtMs, () => this.requestMatch());
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
    this.enqueue(async () => {
      this.matchQueued = false;
      await this.matchAll();
    });
  }

  private candidate(w: WorkerState): CandidateWorker {
    const usage: WorkerUsage[] = [];
    const channelOf = (jobId: string): string => this.jobs.get(jobId)?.job.channelId ?? "";
    for (const a of w.worker.assignedJobs ?? [])
      usage.push({ kind: "assignment", jobId: a.jobId, channelId: channelOf(a.jobId), capacityCost: a.capacityCost });
    for (const o of w.worker.offers ?? [])
      usage.push({ kind: "offer", jobId: o.jobId, channelId: channelOf(o.jobId), capacityCost: o.capacityCost });
    const declinedUntil = new Map<string, number>();
    for (const [jobId, at] of Object.entries(w.declines))
      declinedUntil.set(jobId, at === null ? Number.POSITIVE_INFINITY : at);
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

  /**
   * Revoke offers that no longer hold: the job left the queue or changed so the worker no longer
   * qualifies (selectors, queue, channel), or the worker changed. Capacity is not re-checked: the offer
   * itself holds it.
   */
  private revokeStaleOffers(): void {
    const now = this.now();
    // This runs on every pass over every outstanding offer, and nothing it reads changes while it runs (it is
    // synchronous), so a queue's bypass flag and a job's active selectors are derived once per call, not once per
    // offer (each admin lookup copies the record out of the store).
    const changedJobs = this.changedJobs;
    const changedWorkers = this.changedWorkers;
    const previousBypass = this.checkedBypass;
    // Writes made from here on (our own revocations included) are looked at by the next call.
    this.changedJobs = new Set();
    this.changedWorkers = new Set();
    const bypassOf = new Map<string, boolean>();
    this.checkedBypass = bypassOf;
    const bypassFor = (queueId: string | undefined): boolean => {
      const key = queueId ?? "";
      let b = bypassOf.get(key);
      if (b === undefined) {
        const dp = this.distributionPolicy(this.queue(queueId)?.distributionPolicyId);
        b = dp ? (this.modeOf(dp).bypassSelectors ?? false) : false;
        bypassOf.set(key, b);
      }
      return b;
    };
    const selectorsOf = new Map<string, RouterWorkerSelector[]>();
    const selectorsFor = (j: JobState): RouterWorkerSelector[] => {
      let sel = selectorsOf.get(j.id);
      if (sel === undefined) {
        sel = activeSelectors(
          [...(j.job.requestedWorkerSelectors ?? []), ...(j.job.attachedWorkerSelectors ?? [])],
          now,
        );
        selectorsOf.set(j.id, sel);
      }
      return sel;
    };
    // Only offers whose worker or job changed can have become invalid (or any offer, after a queue's settings
    // changed): the workers holding them are looked at, in registration order as before.
    let holders: Set<string> | undefined;
    if (this.recheckAllOffers) this.recheckAllOffers = false;
    else {
      holders = new Set(changedWorkers);
      for (const jobId of changedJobs) for (const id of this.offerHolders.get(jobId) ?? []) holders.add(id);
    }
    const seq = (id: string): number => this.workerSeq.get(id) ?? Number.MAX_SAFE_INTEGER;
    const toCheck: Iterable<WorkerState> =
      holders === undefined
        ? this.workers.values()
        : [...holders]
            .sort((a, b) => seq(a) - seq(b))
            .map((id) => this.workers.get(id))
            .filter((w): w is WorkerState => w !== undefined);
    for (const w of toCheck) {
      if ((w.worker.offers ?? []).length === 0) continue;
      const workerChanged = changedWorkers.has(w.id);
      for (const offer of [...(w.worker.offers ?? [])]) {
        const j = this.jobs.get(offer.jobId);
        if (!workerChanged && j !== undefined && !changedJobs.has(j.id)) {
          const key = j.job.queueId ?? "";
          if (previousBypass.get(key) === bypassFor(j.job.queueId)) continue; // unchanged since found valid
        }
        let ok = j !== undefined && j.job.status === "queued" && (w.worker.queues ?? []).includes(j.job.queueId ?? "");
        if (ok && j) {
          ok = (w.worker.channels ?? []).some((c) => c.channelId === j.job.channelId);
          if (ok && !bypassFor(j.job.queueId)) ok = matchesAll(w.worker.labels ?? {}, selectorsFor(j));
        }
        if (!ok) {
          this.removeOffer(w, offer.offerId);
          this.saveWorker(w);
          this.emitOffer("RouterWorkerOfferRevoked", w, j, offer.jobId, offer.offerId);
        }
      }
    }
  }

  /** One pass over every queue: offer each queued job to the workers its distribution policy picks. */
  async matchAll(): Promise<void> {
    this.absorbChanges();
    const queueIds = [...this.queuedByQueue.keys()].filter((q) => (this.queuedByQueue.get(q)?.size ?? 0) > 0).sort();
    for (const queueId of queueIds) this.checkQueueSettings(queueId);
    this.revokeStaleOffers();
    let snap = this.matchSnapshot();
    for (const queueId of queueIds) {
      const queue = this.queue(queueId);
      const dp = this.distributionPolicy(queue?.distributionPolicyId);
      if (!dp) continue; // a queue without a distribution policy distributes nothing
      const mode = this.modeOf(dp);
      const maxOffers = Math.max(1, mode.maxConcurrentOffers ?? 1);
      this.absorbChanges();
      this.checkQueueSettings(queueId);
      // bestWorker may await a scoring rule over HTTP, and a request served meanwhile can free a saturated job of
      // this queue, which the pass then offers when it gets there: such a queue still visits every queued job.
      for (const j of this.queuedJobs(queueId, mode.kind === "bestWorker" ? undefined : this.openJobs)) {
        if (j.job.status !== "queued") continue;
        this.expireJobSelectors(j);
        if (snap.epoch !== this.stateEpoch) snap = this.matchSnapshot();
        const outstanding = snap.outstandingFor(j.id);
        // A job that already has its maximum of offers out gets none now (offersToIssue would say 0), so the
        // eligibility scan over every worker is skipped. Without this, every pass rescanned every worker for every
        // offered-but-unaccepted job: jobs × workers per event.
        if (outstanding >= maxOffers) {
          // Saturated: later passes skip it until something frees it (see openJobs). A selector still due to
          // expire keeps it open, since each pass marks due selectors expired.
          if (!this.hasPendingExpiry(j)) this.openJobs.delete(j.id);
          continue;
        }
        const now = this.now();
        const job: MatchableJob = {
          id: j.id,
          labels: j.job.labels ?? {},
          activeSelectors: activeSelectors(
            [...(j.job.requestedWorkerSelectors ?? []), ...(j.job.attachedWorkerSelectors ?? [])],
            now,
          ),
        };
        if (j.job.channelId !== undefined) job.channelId = j.job.channelId;
        job.queueId = queueId;
        const cursor = this.roundRobinCursor.get(dp.id);
        let chosen;
        try {
          chosen = await selectWorkersForOffer(job, snap.candidatesFor(queueId), mode, outstanding, {
            http: this.o.http,
            tokens: this.tokens,
            now: () => this.now(),
            ...(cursor !== undefined ? { roundRobinCursor: cursor } : {}),
          });
        } catch (err) {
          if (err instanceof RuleError) {
            this.log(`job ${j.id}: scoring failed: ${err.message}`);
            continue;
          }
          throw err;
        }
        if (j.job.status !== "queued" || this.jobs.get(j.id) !== j) continue;
        for (const c of chosen) {
          const w = this.workers.get(c.worker.id);
          if (!w) continue;
          // Re-check against the live worker: an earlier job in this pass may have used its capacity.
          const again = eligibleWorkers(job, [this.candidate(w)], {
            bypassSelectors: mode.bypassSelectors ?? false,
            nowMs: now,
          })[0];
          if (!again) continue;
          const snapWasFresh = snap.epoch === this.stateEpoch;
          this.issueOffer(j, w, again.capacityCost, dp);
          if (snapWasFresh) {
            // Our own write: patch the snapshot instead of rebuilding it for the next job.
            snap.update(this.cachedCandidate(w), j.id);
            snap.epoch = this.stateEpoch;
          }
          if (mode.kind === "roundRobin") this.roundRobinCursor.set(dp.id, w.id);
        }
      }
    }
  }

  /** The workers and offers as a pass sees them (see MatchSnapshot). */
  private matchSnapshot(): MatchSnapshot {
    this.absorbChanges();
    if (this.pool === undefined || this.poolRebuild) {
      this.poolRebuild = false;
      this.poolDirty.clear();
      this.pool = new MatchSnapshot(
        this.stateEpoch,
        [...this.workers.values()],
        (w) => this.cachedCandidate(w),
        (jobId) => this.countOffers(jobId),
        (id) => this.workerSeq.get(id) ?? Number.MAX_SAFE_INTEGER,
      );
    } else {
      const changed = this.poolDirty;
      this.poolDirty = new Set();
      this.pool.refresh(this.stateEpoch, changed, (id) => this.workers.get(id));
    }
    return this.pool;
  }

  /** The worker's candidate view from the cache (see candidateCache); the live check after scoring uses candidate(). */
  private cachedCandidate(w: WorkerState): CandidateWorker {
    let c = this.candidateCache.get(w.id);
    if (!c) {
      c = this.candidate(w);
      this.candidateCache.set(w.id, c);
    }
    return c;
  }

  private issueOffer(j: JobState, w: WorkerState, capacityCost: number, dp: DistributionPolicy): void {
    const now = this.now();
    const offer: RouterJobOffer = {
      offerId: randomUUID(),
      jobId: j.id,
      capacityCost,
      offeredAt: formatServiceTime(now),
    };
    if (dp.offerExpiresAfterSeconds !== undefined && dp.offerExpiresAfterSeconds !== null) {
      offer.expiresAt = formatServiceTime(now + dp.offerExpiresAfterSeconds * 1000);
    }
    w.worker.offers = [...(w.worker.offers ?? []), offer];
    this.saveWorker(w);
    this.emitOffer("RouterWorkerOfferIssued", w, j, j.id, offer.offerId, {
      jobPriority: j.job.priority,
      workerLabels: w.worker.labels ?? {},
      offeredOn: offer.offeredAt,
      expiresOn: offer.expiresAt,
      workerTags: w.worker.tags ?? {},
      jobLabels: j.job.labels ?? {},
      jobTags: j.job.tags ?? {},
    });
    this.armOfferExpiry(w.id, offer);
  }

  // ------------------------------------------------------------ references (refused admin deletes)

  referencesTo(collection: string, id: string): Array<{ code: string; message: string }> {
    const out: Array<{ code: string; message: string }> = [];
    const active = [...this.jobs.values()].filter((j) => isActive(j.job.status));
    if (collection === "classificationPolicies" && active.some((j) => j.job.classificationPolicyId === id)) {
      out.push({
        code: "ActiveJobWithClassificationPolicyExist",
        message: "There is active job with this classification policy",
      });
    }
    if (collection === "queues") {
      if (active.some((j) => j.job.queueId === id))
        out.push({ code: "ActiveJobWithQueueExist", message: "There is active job with this queue" });
      if ([...this.workers.values()].some((w) => (w.worker.queues ?? []).includes(id))) {
        out.push({ code: "AssignedWorkerWithQueueExist", message: "There is an assigned worker to this queue" });
      }
    }
    return out;
  }
}
