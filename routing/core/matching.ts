// The matching pass: revoke offers that no longer hold, then visit every queue with queued jobs (in id order) and
// its open jobs (in service order), offering each to the workers its distribution policy picks. One pass runs per
// batch of changes (requests coalesce); what it remembers between passes is in MatchIndex.

import type { DistributionMode, DistributionPolicy, RouterWorkerSelector } from "../../provider/client/models";
import {
  eligibleWorker,
  selectWorkersForOffer,
  selectWorkersNow,
  type EligibleWorker,
  type MatchableJob,
  type OrderingDeps,
} from "../distribution";
import { RuleError } from "../rules";
import { activeSelectors, matchesAll } from "../selectors";
import type { RoutingCore } from "./core";
import { allSelectors, hasUnmarkedExpiry, type JobState, type WorkerState } from "./state";

/** The policy's mode (kinds are already modern: the host's lookups give 2023-11-01 names). */
function modeOf(dp: DistributionPolicy): DistributionMode {
  return dp.mode ?? { kind: "longestIdle" };
}

type PassSteps = Generator<Promise<EligibleWorker[]>, void, EligibleWorker[]>;

export class Matcher {
  private readonly roundRobinCursor = new Map<string, string>();
  /** revokeStaleOffers' sets, swapped with the index's on each call instead of allocated. */
  private spareJobs = new Set<string>();
  private spareWorkers = new Set<string>();
  private spareBypass = new Map<string, boolean>();

  constructor(private readonly core: RoutingCore) {}

  /** The core's clock as a function, made once (the distribution helpers take one per job). */
  private readonly now = (): number => this.core.now();

  private distributionPolicyOf(queueId: string | undefined): DistributionPolicy | undefined {
    const p = this.core.host.policies;
    return p.distributionPolicy(p.queue(queueId)?.distributionPolicyId);
  }

  private settingsOf(dp: DistributionPolicy | undefined): string {
    if (dp === undefined) return "- false 1";
    const mode = modeOf(dp);
    return `${JSON.stringify(dp.id)} ${mode.bypassSelectors === true} ${mode.maxConcurrentOffers ?? 1}`;
  }

  /**
   * One matching pass. It waits only for a scoring rule: without one the whole pass runs now and returns nothing,
   * else a promise of the rest. (One body for both: `steps` yields each rule evaluation to wait for.)
   */
  pass(): Promise<void> | void {
    const it = this.steps();
    return this.resume(it, it.next());
  }

  private resume(it: PassSteps, step: IteratorResult<Promise<EligibleWorker[]>, void>): Promise<void> | void {
    if (step.done) return;
    return step.value.then(
      (v) => this.resume(it, it.next(v)),
      (err: unknown) => this.resume(it, it.throw(err)),
    );
  }

  private *steps(): PassSteps {
    const { core } = this;
    const index = core.index;
    index.absorb();
    const queueIds = index.busyQueues();
    // Policies change only while the pass waits (an administration request served meanwhile): settings are looked
    // up again after a wait, not for every queue.
    const policies: Array<DistributionPolicy | undefined> = [];
    for (const queueId of queueIds) {
      const dp = this.distributionPolicyOf(queueId);
      policies.push(dp);
      index.checkQueueSettings(queueId, this.settingsOf(dp));
    }
    this.revokeStaleOffers();
    let waited = false;
    let snap = index.snapshot();
    for (let qi = 0; qi < queueIds.length; qi++) {
      const queueId = queueIds[qi] as string;
      let dp = policies[qi];
      if (waited) {
        dp = this.distributionPolicyOf(queueId);
        index.absorb();
        index.checkQueueSettings(queueId, this.settingsOf(dp));
      }
      if (!dp) continue; // a queue without a distribution policy distributes nothing
      const mode = modeOf(dp);
      const maxOffers = Math.max(1, mode.maxConcurrentOffers ?? 1);
      if (snap.epoch !== index.epoch) snap = index.snapshot();
      // No available worker of this queue has room: nothing to offer, so its jobs are not even sorted. (Due selector
      // expiries are marked by their own timers; a pass would only mark them earlier for jobs it offers.)
      if (snap.candidatesFor(queueId).length === 0) continue;
      const bypassSelectors = mode.bypassSelectors ?? false;
      // bestWorker may await a scoring rule over HTTP, and a request served meanwhile can free a saturated job of
      // this queue, which the pass then offers when it gets there: such a queue still visits every queued job.
      for (const j of core.queuedJobs(queueId, mode.kind === "bestWorker" ? undefined : index.openJobs)) {
        if (j.job.status !== "queued") continue;
        core.expireJobSelectors(j);
        if (snap.epoch !== index.epoch) snap = index.snapshot();
        const outstanding = snap.outstandingFor(j.id);
        // A job that already has its maximum of offers out gets none now: skip the eligibility scan.
        if (outstanding >= maxOffers) {
          // Saturated: later passes skip it until something frees it. A selector still due to expire keeps it
          // open, since each pass marks due selectors expired.
          if (!hasUnmarkedExpiry(j)) index.openJobs.delete(j.id);
          continue;
        }
        // No candidate left with room (an earlier job of this pass took the last): nothing to choose from.
        if (snap.candidatesFor(queueId).length === 0 && mode.kind !== "bestWorker") continue;
        const now = core.now();
        const job: MatchableJob = {
          id: j.id,
          labels: j.job.labels ?? {},
          activeSelectors: activeSelectors(allSelectors(j), now),
        };
        if (j.job.channelId !== undefined) job.channelId = j.job.channelId;
        job.queueId = queueId;
        const cursor = mode.kind === "roundRobin" ? this.roundRobinCursor.get(dp.id) : undefined;
        const deps: OrderingDeps = { http: core.host.http, tokens: core.tokens, now: this.now };
        if (cursor !== undefined) deps.roundRobinCursor = cursor;
        let chosen: EligibleWorker[];
        try {
          // Without a scoring rule the choice needs no waiting: the pass then runs without yielding.
          const picked = selectWorkersNow(job, snap.candidatesFor(queueId), mode, outstanding, deps);
          if (picked !== undefined) chosen = picked;
          else {
            waited = true;
            chosen = yield selectWorkersForOffer(job, snap.candidatesFor(queueId), mode, outstanding, deps);
          }
        } catch (err) {
          if (err instanceof RuleError) {
            core.log(`job ${j.id}: scoring failed: ${err.message}`);
            continue;
          }
          throw err;
        }
        if (j.job.status !== "queued" || core.jobs.get(j.id) !== j) continue;
        for (const c of chosen) {
          const w = core.workers.get(c.worker.id);
          if (!w) continue;
          // Re-check against the live worker: an earlier job in this pass may have used its capacity. (The cached
          // view is the live one: every write of the worker drops it.)
          const again = eligibleWorker(job, index.cachedCandidate(w), bypassSelectors, now);
          if (again === undefined) continue;
          const snapWasFresh = snap.epoch === index.epoch;
          core.issueOffer(j, w, again, dp.offerExpiresAfterSeconds);
          if (snapWasFresh) {
            // Our own write: patch the snapshot instead of rebuilding it for the next job.
            snap.update(index.cachedCandidate(w), j.id);
            snap.epoch = index.epoch;
          }
          if (mode.kind === "roundRobin") this.roundRobinCursor.set(dp.id, w.id);
        }
      }
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
    const changedJobs = index.changedJobs;
    const changedWorkers = index.changedWorkers;
    const previousBypass = index.checkedBypass;
    // Writes made from here on (our own revocations included) are looked at by the next call. The sets of the call
    // before are reused (cleared) rather than allocated per pass.
    index.changedJobs = this.spareJobs;
    index.changedWorkers = this.spareWorkers;
    const bypassOf = this.spareBypass;
    bypassOf.clear();
    index.checkedBypass = bypassOf;
    const bypassFor = (queueId: string | undefined): boolean => {
      const key = queueId ?? "";
      let b = bypassOf.get(key);
      if (b === undefined) {
        const dp = this.distributionPolicyOf(queueId);
        b = dp ? (modeOf(dp).bypassSelectors ?? false) : false;
        bypassOf.set(key, b);
      }
      return b;
    };
    let selectorsOf: Map<string, RouterWorkerSelector[]> | undefined;
    const selectorsFor = (j: JobState): RouterWorkerSelector[] => {
      if (selectorsOf === undefined) selectorsOf = new Map();
      let sel = selectorsOf.get(j.id);
      if (sel === undefined) selectorsOf.set(j.id, (sel = activeSelectors(allSelectors(j), now)));
      return sel;
    };
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
      for (const offer of [...(w.worker.offers ?? [])]) {
        const j = core.jobs.get(offer.jobId);
        if (!workerChanged && j !== undefined && !changedJobs.has(j.id)) {
          const key = j.job.queueId ?? "";
          if (previousBypass.get(key) === bypassFor(j.job.queueId)) continue; // unchanged since found valid
        }
        let ok = j !== undefined && j.job.status === "queued" && (w.worker.queues ?? []).includes(j.job.queueId ?? "");
        if (ok && j) {
          ok = (w.worker.channels ?? []).some((c) => c.channelId === j.job.channelId);
          if (ok && !bypassFor(j.job.queueId)) ok = matchesAll(w.worker.labels ?? {}, selectorsFor(j));
        }
        if (!ok) core.revokeOffer(w, offer.offerId, offer.jobId);
      }
    }
    changedJobs.clear();
    changedWorkers.clear();
    this.spareJobs = changedJobs;
    this.spareWorkers = changedWorkers;
    this.spareBypass = previousBypass;
  }
}
