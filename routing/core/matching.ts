// The matching pass: revoke offers that no longer hold, then visit every queue with queued jobs (in id order) and
// its open jobs (in service order), offering each to the workers its distribution policy picks. One pass runs per
// batch of changes (requests coalesce); what it remembers between passes is in MatchIndex.

import type { DistributionMode, DistributionPolicy, RouterWorkerSelector } from "../../provider/client/models";
import {
  type CandidateWorker,
  eligibleWorker,
  selectWorkersForOffer,
  selectWorkersNow,
  type EligibleWorker,
  type MatchableJob,
  type OrderingDeps,
} from "../distribution";
import { RuleError } from "../rules";
import { activeSelectors, matchesAll } from "../selectors";
import type { TokenCache } from "../rules";
import type { RoutingHost } from "./host";
import type { MatchIndex, MatchSnapshot } from "./matchIndex";
import { allSelectors, hasUnmarkedExpiry, type JobState, type WorkerState } from "./state";

/** The policy's mode (kinds are already modern: the host's lookups give 2023-11-01 names). */
function modeOf(dp: DistributionPolicy): DistributionMode {
  return dp.mode ?? { kind: "longestIdle" };
}

/** The changes a stale-offer check looks at when nothing changed. */
const NONE: ReadonlySet<string> = new Set();

/** What a pass needs from the state machine it runs in (RoutingCore): its state, and the transitions it may cause. */
export interface MatchContext {
  readonly host: RoutingHost;
  readonly tokens: TokenCache;
  readonly index: MatchIndex;
  readonly jobs: ReadonlyMap<string, JobState>;
  readonly workers: ReadonlyMap<string, WorkerState>;
  now(): number;
  log(message: string): void;
  queuedJobs(queueId: string, among?: ReadonlySet<string>): JobState[];
  expireJobSelectors(j: JobState): void;
  issueOffer(
    j: JobState,
    w: WorkerState,
    capacityCost: number,
    offerExpiresAfterSeconds: number | null | undefined,
  ): void;
  revokeOffer(w: WorkerState, offerId: string, jobId: string): void;
}

export class Matcher {
  private readonly roundRobinCursor = new Map<string, string>();
  /** revokeStaleOffers' active selectors by job id, made when first needed during one check. */
  private selectorsOf: Map<string, RouterWorkerSelector[]> | undefined;

  constructor(private readonly core: MatchContext) {
    this.deps = { http: core.host.http, tokens: core.tokens, now: () => core.now() };
  }

  /** What the distribution helpers need, made once (a pass used to build it for every job). */
  private readonly deps: OrderingDeps;
  /** The pass under way: its pool of candidates, whether it has waited for a rule, the policies it looked up. */
  private snap!: MatchSnapshot;
  private waited = false;
  private readonly settingsCache = new Map<string, { bypass: boolean; max: number | null; key: string }>();
  private readonly scratch: MatchableJob = { id: "", labels: {}, activeSelectors: [] };
  private readonly policies: Array<DistributionPolicy | undefined> = [];

  private distributionPolicyOf(queueId: string | undefined): DistributionPolicy | undefined {
    const p = this.core.host.policies;
    return p.distributionPolicy(p.queue(queueId)?.distributionPolicyId);
  }

  private settingsOf(dp: DistributionPolicy | undefined): string {
    if (dp === undefined) return "- false 1";
    const mode = modeOf(dp);
    const bypass = mode.bypassSelectors === true;
    const max = mode.maxConcurrentOffers ?? 1;
    // The same settings as last time for this policy id give the same string: a pass looks them up for every busy
    // queue, and building it afresh each time was a string per queue per pass.
    const last = this.settingsCache.get(dp.id);
    if (last !== undefined && last.bypass === bypass && last.max === max) return last.key;
    const key = `${JSON.stringify(dp.id)} ${bypass} ${max}`;
    this.settingsCache.set(dp.id, { bypass, max, key });
    return key;
  }

  /**
   * One matching pass. It waits only for a scoring rule: without one the whole pass runs now and returns nothing,
   * else a promise of the rest. (Plain functions rather than an async one or a generator: a pass runs per event in
   * a simulation, and their per-call frames were a large share of its allocations.)
   */
  pass(): Promise<void> | void {
    const { core } = this;
    const index = core.index;
    index.absorb();
    const queueIds = index.busyQueues();
    // Policies change only while the pass waits (an administration request served meanwhile): settings are looked
    // up again after a wait, not for every queue.
    const policies = this.policies;
    policies.length = 0;
    for (const queueId of queueIds) {
      const dp = this.distributionPolicyOf(queueId);
      policies.push(dp);
      index.checkQueueSettings(queueId, this.settingsOf(dp));
    }
    this.revokeStaleOffers();
    this.waited = false;
    this.snap = index.snapshot();
    return this.queuesFrom(queueIds, policies, 0);
  }

  /** Visit the busy queues from position `from` on. */
  private queuesFrom(
    queueIds: readonly string[],
    policies: ReadonlyArray<DistributionPolicy | undefined>,
    from: number,
  ): Promise<void> | void {
    for (let qi = from; qi < queueIds.length; qi++) {
      const r = this.visitQueue(queueIds[qi] as string, policies[qi]);
      if (r !== undefined) return r.then(() => this.queuesFrom(queueIds, policies, qi + 1));
    }
  }

  private visitQueue(queueId: string, looked: DistributionPolicy | undefined): Promise<void> | void {
    const { core } = this;
    const index = core.index;
    let dp = looked;
    if (this.waited) {
      dp = this.distributionPolicyOf(queueId);
      index.absorb();
      index.checkQueueSettings(queueId, this.settingsOf(dp));
    }
    if (!dp) return; // a queue without a distribution policy distributes nothing
    if (this.snap.epoch !== index.epoch) this.snap = index.snapshot();
    // No available worker of this queue has room: nothing to offer, so its jobs are not even sorted. (Due selector
    // expiries are marked by their own timers; a pass would only mark them earlier for jobs it offers.)
    if (this.snap.candidatesFor(queueId).length === 0) return;
    const mode = modeOf(dp);
    // bestWorker may await a scoring rule over HTTP, and a request served meanwhile can free a saturated job of
    // this queue, which the pass then offers when it gets there: such a queue still visits every queued job.
    const jobs = core.queuedJobs(queueId, mode.kind === "bestWorker" ? undefined : index.openJobs);
    return this.jobsFrom(queueId, dp, mode, jobs, 0);
  }

  /** Visit a queue's jobs (service order) from position `from` on. */
  private jobsFrom(
    queueId: string,
    dp: DistributionPolicy,
    mode: DistributionMode,
    jobs: readonly JobState[],
    from: number,
  ): Promise<void> | void {
    for (let k = from; k < jobs.length; k++) {
      const r = this.visitJob(queueId, dp, mode, jobs[k] as JobState);
      if (r !== undefined) return r.then(() => this.jobsFrom(queueId, dp, mode, jobs, k + 1));
    }
  }

  private visitJob(queueId: string, dp: DistributionPolicy, mode: DistributionMode, j: JobState): Promise<void> | void {
    const { core } = this;
    const index = core.index;
    if (j.job.status !== "queued") return;
    core.expireJobSelectors(j);
    if (this.snap.epoch !== index.epoch) this.snap = index.snapshot();
    const snap = this.snap;
    const outstanding = snap.outstandingFor(j.id);
    // A job that already has its maximum of offers out gets none now: skip the eligibility scan.
    if (outstanding >= Math.max(1, mode.maxConcurrentOffers ?? 1)) {
      // Saturated: later passes skip it until something frees it. A selector still due to expire keeps it
      // open, since each pass marks due selectors expired.
      if (!hasUnmarkedExpiry(j)) index.openJobs.delete(j.id);
      return;
    }
    // No candidate left with room (an earlier job of this pass took the last): nothing to choose from.
    if (snap.candidatesFor(queueId).length === 0 && mode.kind !== "bestWorker") return;
    // Found no eligible worker before, and neither the job nor its queue's pool gained anything since: none now.
    const decidedNow = mode.kind !== "bestWorker" || !mode.scoringRule;
    const stamp = snap.stampOf(queueId);
    if (decidedNow && index.noMatch.get(j.id) === stamp) return;
    const now = core.now();
    // The choice made now (no scoring rule) reads the job only while it runs: one scratch view serves every job.
    const job = this.scratch;
    job.id = j.id;
    job.labels = j.job.labels ?? {};
    job.activeSelectors = activeSelectors(allSelectors(j), now);
    job.channelId = j.job.channelId as string;
    job.queueId = queueId;
    const cursor = mode.kind === "roundRobin" ? this.roundRobinCursor.get(dp.id) : undefined;
    const deps: OrderingDeps = cursor === undefined ? this.deps : { ...this.deps, roundRobinCursor: cursor };
    // Without a scoring rule the choice needs no waiting: the pass then goes on without yielding.
    let picked: EligibleWorker[] | undefined;
    try {
      picked = selectWorkersNow(job, snap.candidatesFor(queueId), mode, outstanding, deps);
    } catch (err) {
      if (!(err instanceof RuleError)) throw err;
      core.log(`job ${j.id}: scoring failed: ${err.message}`);
      return;
    }
    if (picked !== undefined) {
      if (picked.length === 0) this.noteNoMatch(j, job, snap.candidatesFor(queueId), mode, stamp, now);
      else this.offer(j, job, dp, mode, picked, now);
      return;
    }
    this.waited = true;
    // Waiting: this job gets a view of its own (the scratch one serves the jobs visited meanwhile).
    const own: MatchableJob = { id: job.id, labels: job.labels, activeSelectors: job.activeSelectors };
    if (j.job.channelId !== undefined) own.channelId = j.job.channelId;
    own.queueId = queueId;
    return selectWorkersForOffer(own, snap.candidatesFor(queueId), mode, outstanding, deps).then(
      (chosen) => this.offer(j, own, dp, mode, chosen, now),
      (err: unknown) => {
        if (!(err instanceof RuleError)) throw err;
        core.log(`job ${j.id}: scoring failed: ${err.message}`);
      },
    );
  }

  /**
   * Remember that the job has no eligible worker in its queue's pool as stamped, when only a change of the job or of
   * the pool can alter that: not when a worker's decline of it has a retry time (time alone ends that), nor when
   * workers were eligible but too few to offer to. (A selector's expiry is no such case: every visit marks the due
   * ones first, and marking writes the job, which drops the note.)
   */
  private noteNoMatch(
    j: JobState,
    job: MatchableJob,
    candidates: readonly CandidateWorker[],
    mode: DistributionMode,
    stamp: number,
    now: number,
  ): void {
    const bypass = mode.bypassSelectors ?? false;
    for (const c of candidates) {
      if (c.declinedUntil.size > 0 && c.declinedUntil.has(j.id)) return;
      if (eligibleWorker(job, c, bypass, now) !== undefined) return;
    }
    this.core.index.noMatch.set(j.id, stamp);
  }

  /** Offer the job to the chosen workers that can still take it. */
  private offer(
    j: JobState,
    job: MatchableJob,
    dp: DistributionPolicy,
    mode: DistributionMode,
    chosen: readonly EligibleWorker[],
    now: number,
  ): void {
    const { core } = this;
    const index = core.index;
    if (j.job.status !== "queued" || core.jobs.get(j.id) !== j) return;
    const bypassSelectors = mode.bypassSelectors ?? false;
    for (const c of chosen) {
      const w = core.workers.get(c.worker.id);
      if (!w) continue;
      // Re-check against the live worker: an earlier job in this pass may have used its capacity. (The cached
      // view is the live one: every write of the worker drops it.)
      const again = eligibleWorker(job, index.cachedCandidate(w), bypassSelectors, now);
      if (again === undefined) continue;
      const snapWasFresh = this.snap.epoch === index.epoch;
      core.issueOffer(j, w, again, dp.offerExpiresAfterSeconds);
      if (snapWasFresh) {
        // Our own write: patch the snapshot instead of rebuilding it for the next job.
        this.snap.update(index.cachedCandidate(w), j.id);
        this.snap.epoch = index.epoch;
      }
      if (mode.kind === "roundRobin") this.roundRobinCursor.set(dp.id, w.id);
    }
  }

  /**
   * Revoke offers that no longer hold: the job left the queue or changed so the worker no longer qualifies
   * (selectors, queue, channel), or the worker changed. Capacity is not re-checked: the offer itself holds it. Only
   * offers whose job or worker was written since the last check (or every offer, after a queue's settings changed)
   * are looked at: time passing only expires selectors, which can only make more workers qualify.
   */
  private revokeStaleOffers(): void {
    const { core } = this;
    const index = core.index;
    // Nothing written since the last check and no settings moved: every offer found valid then still is.
    if (!index.recheckAllOffers && index.changedJobs.size === 0 && index.changedWorkers.size === 0) return;
    const now = core.now();
    // Writes made from here on (our own revocations included) are looked at by the next call. Fresh collections,
    // never cleared ones: see MatchIndex.absorb. An empty set stays with the index (the check reads a shared empty
    // one instead, so its own writes are not seen as earlier changes).
    const changedJobs: ReadonlySet<string> = index.changedJobs.size > 0 ? index.changedJobs : NONE;
    const changedWorkers: ReadonlySet<string> = index.changedWorkers.size > 0 ? index.changedWorkers : NONE;
    if (changedJobs !== NONE) index.changedJobs = new Set();
    if (changedWorkers !== NONE) index.changedWorkers = new Set();
    const previousBypass = index.checkedBypass;
    index.checkedBypass = new Map();
    this.selectorsOf = undefined;
    let toCheck: Iterable<WorkerState>;
    if (index.recheckAllOffers) {
      index.recheckAllOffers = false;
      toCheck = core.workers.values();
    } else {
      const holders = new Set(changedWorkers);
      for (const jobId of changedJobs) index.addHoldersOf(jobId, holders);
      const list: WorkerState[] = [];
      for (const id of holders) {
        const w = core.workers.get(id);
        // Only holders of offers have anything to check (the order of the others does not matter).
        if (w !== undefined && (w.worker.offers ?? []).length > 0) list.push(w);
      }
      if (list.length > 1) list.sort((a, b) => index.workerOrder(a.id) - index.workerOrder(b.id));
      toCheck = list;
    }
    for (const w of toCheck) {
      if ((w.worker.offers ?? []).length === 0) continue;
      const workerChanged = changedWorkers.has(w.id);
      // A revocation replaces the worker's offer list (never edits it): this one can be walked as it is.
      for (const offer of w.worker.offers ?? []) {
        const j = core.jobs.get(offer.jobId);
        if (!workerChanged && j !== undefined && !changedJobs.has(j.id)) {
          const key = j.job.queueId ?? "";
          if (previousBypass.get(key) === this.bypassFor(j.job.queueId)) continue; // unchanged since found valid
        }
        let ok = j !== undefined && j.job.status === "queued" && (w.worker.queues ?? []).includes(j.job.queueId ?? "");
        if (ok && j) {
          ok = (w.worker.channels ?? []).some((c) => c.channelId === j.job.channelId);
          if (ok && !this.bypassFor(j.job.queueId)) ok = matchesAll(w.worker.labels ?? {}, this.selectorsFor(j, now));
        }
        if (!ok) core.revokeOffer(w, offer.offerId, offer.jobId);
      }
    }
    this.selectorsOf = undefined;
  }

  /** Whether a queue's policy bypasses selectors, looked up once per stale-offer check (in the index's map). */
  private bypassFor(queueId: string | undefined): boolean {
    const bypassOf = this.core.index.checkedBypass;
    const key = queueId ?? "";
    let b = bypassOf.get(key);
    if (b === undefined) {
      const dp = this.distributionPolicyOf(queueId);
      b = dp ? (modeOf(dp).bypassSelectors ?? false) : false;
      bypassOf.set(key, b);
    }
    return b;
  }

  /** A job's active selectors, once per stale-offer check. */
  private selectorsFor(j: JobState, now: number): RouterWorkerSelector[] {
    if (this.selectorsOf === undefined) this.selectorsOf = new Map();
    let sel = this.selectorsOf.get(j.id);
    if (sel === undefined) this.selectorsOf.set(j.id, (sel = activeSelectors(allSelectors(j), now)));
    return sel;
  }
}
