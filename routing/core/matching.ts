// The matching pass: revoke offers that no longer hold, then visit every queue with queued jobs (in id order) and
// its open jobs (in service order), offering each to the workers its distribution policy picks. One pass runs per
// batch of changes (requests coalesce); what it remembers between passes is in MatchIndex.

import type { DistributionMode, DistributionPolicy, RouterWorkerSelector } from "../../provider/client/models";
import { eligibleWorkers, selectWorkersForOffer, selectWorkersNow, type MatchableJob } from "../distribution";
import { RuleError } from "../rules";
import { activeSelectors, matchesAll } from "../selectors";
import type { RoutingCore } from "./core";
import { allSelectors, hasUnmarkedExpiry, type JobState, type WorkerState } from "./state";

/** The policy's mode (kinds are already modern: the host's lookups give 2023-11-01 names). */
function modeOf(dp: DistributionPolicy): DistributionMode {
  return dp.mode ?? { kind: "longestIdle" };
}

export class Matcher {
  private readonly roundRobinCursor = new Map<string, string>();

  constructor(private readonly core: RoutingCore) {}

  private distributionPolicyOf(queueId: string | undefined): DistributionPolicy | undefined {
    const p = this.core.host.policies;
    return p.distributionPolicy(p.queue(queueId)?.distributionPolicyId);
  }

  private settingsOf(queueId: string): string {
    const dp = this.distributionPolicyOf(queueId);
    const mode = dp ? modeOf(dp) : undefined;
    return `${dp === undefined ? "-" : JSON.stringify(dp.id)} ${mode?.bypassSelectors === true} ${mode?.maxConcurrentOffers ?? 1}`;
  }

  async pass(): Promise<void> {
    const { core } = this;
    const index = core.index;
    index.absorb();
    const queueIds = index.busyQueues();
    for (const queueId of queueIds) index.checkQueueSettings(queueId, this.settingsOf(queueId));
    this.revokeStaleOffers();
    let snap = index.snapshot();
    for (const queueId of queueIds) {
      const dp = this.distributionPolicyOf(queueId);
      if (!dp) continue; // a queue without a distribution policy distributes nothing
      const mode = modeOf(dp);
      const maxOffers = Math.max(1, mode.maxConcurrentOffers ?? 1);
      index.absorb();
      index.checkQueueSettings(queueId, this.settingsOf(queueId));
      if (snap.epoch !== index.epoch) snap = index.snapshot();
      // No available worker of this queue has room: nothing to offer, so its jobs are not even sorted. (Due selector
      // expiries are marked by their own timers; a pass would only mark them earlier for jobs it offers.)
      if (snap.candidatesFor(queueId).length === 0) continue;
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
        const now = core.now();
        const job: MatchableJob = {
          id: j.id,
          labels: j.job.labels ?? {},
          activeSelectors: activeSelectors(allSelectors(j), now),
        };
        if (j.job.channelId !== undefined) job.channelId = j.job.channelId;
        job.queueId = queueId;
        const cursor = this.roundRobinCursor.get(dp.id);
        const deps = {
          http: core.host.http,
          tokens: core.tokens,
          now: () => core.now(),
          ...(cursor !== undefined ? { roundRobinCursor: cursor } : {}),
        };
        let chosen;
        try {
          // Without a scoring rule the choice needs no waiting: the pass then runs without yielding.
          chosen =
            selectWorkersNow(job, snap.candidatesFor(queueId), mode, outstanding, deps) ??
            (await selectWorkersForOffer(job, snap.candidatesFor(queueId), mode, outstanding, deps));
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
          // Re-check against the live worker: an earlier job in this pass may have used its capacity.
          const again = eligibleWorkers(job, [index.candidate(w)], {
            bypassSelectors: mode.bypassSelectors ?? false,
            nowMs: now,
          })[0];
          if (!again) continue;
          const snapWasFresh = snap.epoch === index.epoch;
          core.issueOffer(j, w, again.capacityCost, dp.offerExpiresAfterSeconds);
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
    const now = core.now();
    const changedJobs = index.changedJobs;
    const changedWorkers = index.changedWorkers;
    const previousBypass = index.checkedBypass;
    // Writes made from here on (our own revocations included) are looked at by the next call.
    index.changedJobs = new Set();
    index.changedWorkers = new Set();
    const bypassOf = new Map<string, boolean>();
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
    const selectorsOf = new Map<string, RouterWorkerSelector[]>();
    const selectorsFor = (j: JobState): RouterWorkerSelector[] => {
      let sel = selectorsOf.get(j.id);
      if (sel === undefined) selectorsOf.set(j.id, (sel = activeSelectors(allSelectors(j), now)));
      return sel;
    };
    let holders: Set<string> | undefined;
    if (index.recheckAllOffers) index.recheckAllOffers = false;
    else {
      holders = new Set(changedWorkers);
      for (const jobId of changedJobs) for (const id of index.holdersOf(jobId)) holders.add(id);
    }
    const toCheck: Iterable<WorkerState> =
      holders === undefined
        ? core.workers.values()
        : [...holders]
            .sort((a, b) => index.workerOrder(a) - index.workerOrder(b))
            .map((id) => core.workers.get(id))
            .filter((w): w is WorkerState => w !== undefined);
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
  }
}
