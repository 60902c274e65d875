// Distribution: which workers a queued job is offered to, and in which order.
//
// Eligibility (all must hold): the worker is active and available for offers; it lists the job's
// queue; it has a channel for the job's channel; the job's cost fits the worker's remaining capacity
// (assigned jobs and outstanding offers both hold capacity) and the channel's `maxNumberOfJobs`; it
// holds no offer for this job and has not declined it (or its decline's retry time has passed); and,
// unless the policy's mode sets `bypassSelectors`, its labels satisfy every active worker selector.
//
// Ordering by mode (Job Router docs, "Distribution modes"):
// - longestIdle: lowest load ratio first, then longest available (earliest idle-since), then id.
// - roundRobin: ascending worker id, starting after the last worker this policy offered to.
// - bestWorker: by score, highest first unless `descendingOrder: false`; ties by id. Without a
//   scoring rule the emulator's default score is logistic(matching job labels + matched selectors).

import type {
  BestWorkerMode,
  DistributionMode,
  Labels,
  RouterChannel,
  RouterWorkerSelector,
} from "../provider/client/models";
import { evaluateRule, RuleError, toScore, type HttpCaller, type TokenCache } from "./rules";
import { matchesAll } from "./selectors";

export interface WorkerUsage {
  kind: "assignment" | "offer";
  jobId: string;
  channelId: string;
  capacityCost: number;
}

export interface CandidateWorker {
  id: string;
  labels: Labels;
  queues: readonly string[];
  capacity: number;
  channels: readonly RouterChannel[];
  /** availableForOffers and state active. */
  available: boolean;
  usage: readonly WorkerUsage[];
  /** When the worker last became idle/available (ms); the longest-idle tie-break. */
  idleSinceMs: number;
  /** jobId -> earliest time the job may be offered again after a decline (Infinity: never). */
  declinedUntil: ReadonlyMap<string, number>;
}

export interface MatchableJob {
  id: string;
  channelId?: string;
  queueId?: string;
  labels: Labels;
  /** Requested + attached selectors that are still active. */
  activeSelectors: readonly RouterWorkerSelector[];
}

export function loadRatio(w: Pick<CandidateWorker, "capacity" | "usage">): number {
  if (w.capacity <= 0) return 0;
  // A plain loop (same sum, same order): this runs for every eligible worker of every job offered.
  let used = 0;
  for (const u of w.usage) if (u.kind === "assignment") used += u.capacityCost;
  return Math.min(1, used / w.capacity);
}

/** The channel cost for this job on this worker, or undefined when the worker cannot take it now. */
export function capacityCostFor(w: CandidateWorker, channelId: string | undefined): number | undefined {
  // Plain loops, no intermediate arrays: this runs for every candidate of every job a pass looks at.
  let channel: RouterChannel | undefined;
  for (const c of w.channels) {
    if (c.channelId === channelId) {
      channel = c;
      break;
    }
  }
  if (!channel) return undefined;
  let used = 0;
  for (const u of w.usage) used += u.capacityCost;
  if (used + channel.capacityCostPerJob > w.capacity) return undefined;
  if (channel.maxNumberOfJobs !== undefined && channel.maxNumberOfJobs !== null) {
    let onChannel = 0;
    for (const u of w.usage) if (u.channelId === channelId) onChannel++;
    if (onChannel >= channel.maxNumberOfJobs) return undefined;
  }
  return channel.capacityCostPerJob;
}

export interface EligibleWorker {
  worker: CandidateWorker;
  capacityCost: number;
}

/** Whether one worker may be offered the job now: the capacity cost it would take, else undefined. */
export function eligibleWorker(
  job: MatchableJob,
  w: CandidateWorker,
  bypassSelectors: boolean,
  nowMs: number,
): number | undefined {
  if (!w.available) return undefined;
  if (!job.queueId || !w.queues.includes(job.queueId)) return undefined;
  for (const u of w.usage) if (u.jobId === job.id) return undefined;
  if (w.declinedUntil.size > 0) {
    const retryAt = w.declinedUntil.get(job.id);
    if (retryAt !== undefined && retryAt > nowMs) return undefined;
  }
  const cost = capacityCostFor(w, job.channelId);
  if (cost === undefined) return undefined;
  if (!bypassSelectors && job.activeSelectors.length > 0 && !matchesAll(w.labels, job.activeSelectors))
    return undefined;
  return cost;
}

export function eligibleWorkers(
  job: MatchableJob,
  workers: readonly CandidateWorker[],
  opts: { bypassSelectors?: boolean; nowMs: number },
): EligibleWorker[] {
  const out: EligibleWorker[] = [];
  const bypass = opts.bypassSelectors ?? false;
  for (const w of workers) {
    const cost = eligibleWorker(job, w, bypass, opts.nowMs);
    if (cost !== undefined) out.push({ worker: w, capacityCost: cost });
  }
  return out;
}

export interface OrderingDeps {
  http: HttpCaller;
  tokens?: TokenCache;
  now: () => number;
  /** roundRobin: the id of the last worker offered a job under this policy. */
  roundRobinCursor?: string;
}

const byId = (a: EligibleWorker, b: EligibleWorker): number =>
  a.worker.id < b.worker.id ? -1 : a.worker.id > b.worker.id ? 1 : 0;

interface Loaded {
  e: EligibleWorker;
  load: number;
}

/** longestIdle order: lower load ratio, then idle longer, then worker id (a total order: ids are unique). */
const longestIdleFirst = (a: Loaded, b: Loaded): number => {
  const d = a.load - b.load;
  if (d !== 0) return d;
  const i = a.e.worker.idleSinceMs - b.e.worker.idleSinceMs;
  return i !== 0 ? i : byId(a.e, b.e);
};

/** longestIdleFirst(a, b) < 0 without wrapping either worker. */
function before(a: EligibleWorker, aLoad: number, b: EligibleWorker, bLoad: number): boolean {
  const d = aLoad - bLoad;
  if (d !== 0) return d < 0;
  const i = a.worker.idleSinceMs - b.worker.idleSinceMs;
  return i !== 0 ? i < 0 : byId(a, b) < 0;
}

export function orderLongestIdle(eligible: readonly EligibleWorker[]): EligibleWorker[] {
  // Each worker's load ratio once, not once per comparison (it sums the worker's usage).
  return eligible
    .map((e) => ({ e, load: loadRatio(e.worker) }))
    .sort(longestIdleFirst)
    .map((x) => x.e);
}

/**
 * The first `n` of orderLongestIdle(eligible), found by `n` linear scans instead of sorting every eligible worker
 * (a job is usually offered to one worker out of hundreds). The order is total, so this is the sorted prefix.
 */
export function firstLongestIdle(eligible: readonly EligibleWorker[], n: number): EligibleWorker[] {
  if (n === 1) {
    // The usual case, in one scan without copying the list.
    let best: EligibleWorker | undefined;
    let bestLoad = 0;
    for (const e of eligible) {
      const load = loadRatio(e.worker);
      if (best === undefined || before(e, load, best, bestLoad)) {
        best = e;
        bestLoad = load;
      }
    }
    return best === undefined ? [] : [best];
  }
  const rest: Loaded[] = eligible.map((e) => ({ e, load: loadRatio(e.worker) }));
  const out: EligibleWorker[] = [];
  while (out.length < n && rest.length > 0) {
    let best = 0;
    for (let i = 1; i < rest.length; i++) {
      const cur = rest[i];
      const top = rest[best];
      if (cur !== undefined && top !== undefined && longestIdleFirst(cur, top) < 0) best = i;
    }
    const [chosen] = rest.splice(best, 1);
    if (chosen) out.push(chosen.e);
  }
  return out;
}

export function orderRoundRobin(eligible: readonly EligibleWorker[], cursor: string | undefined): EligibleWorker[] {
  const sorted = [...eligible].sort(byId);
  if (cursor === undefined) return sorted;
  const start = sorted.findIndex((e) => e.worker.id > cursor);
  return start <= 0 ? sorted : [...sorted.slice(start), ...sorted.slice(0, start)];
}

/** The emulator's default best-worker score (no scoring rule): logistic(label matches + selector matches). */
export function defaultScore(job: MatchableJob, worker: CandidateWorker): number {
  let x = 0;
  for (const [k, v] of Object.entries(job.labels)) {
    if (Object.prototype.hasOwnProperty.call(worker.labels, k) && worker.labels[k] === v) x++;
  }
  for (const s of job.activeSelectors) if (matchesAll(worker.labels, [s])) x++;
  return 1 / (1 + Math.exp(-x));
}

function scoringPayloadBase(job: MatchableJob, mode: BestWorkerMode): Record<string, unknown> {
  const params = mode.scoringRuleOptions?.scoringParameters ?? ["jobLabels", "workerSelectors"];
  const base: Record<string, unknown> = {};
  if (params.includes("jobLabels")) base.job = job.labels;
  if (params.includes("workerSelectors")) {
    base.selectors = job.activeSelectors.map((s) => ({
      key: s.key,
      labelOperator: s.labelOperator,
      value: s.value ?? null,
    }));
  }
  return base;
}

/** Scores for the eligible workers, in the same order. */
export async function scoreWorkers(
  job: MatchableJob,
  eligible: readonly EligibleWorker[],
  mode: BestWorkerMode,
  deps: OrderingDeps,
): Promise<number[]> {
  const rule = mode.scoringRule;
  if (!rule) return eligible.map((e) => defaultScore(job, e.worker));
  const base = scoringPayloadBase(job, mode);
  const opts = mode.scoringRuleOptions ?? {};
  const remote = rule.kind === "function" || rule.kind === "webhook";
  if (opts.isBatchScoringEnabled && remote) {
    // Batch scoring: the rule gets `workers` (a list of label maps) and answers a list of scores.
    const size = opts.batchSize && opts.batchSize > 0 ? opts.batchSize : 20;
    const scores: number[] = [];
    for (let i = 0; i < eligible.length; i += size) {
      const batch = eligible.slice(i, i + size);
      const v = await evaluateRule(rule, {
        scope: { job: job.labels },
        payload: { ...base, workers: batch.map((e) => e.worker.labels) },
        http: deps.http,
        tokens: deps.tokens,
        now: deps.now,
      });
      if (!Array.isArray(v) || v.length !== batch.length) {
        throw new RuleError("InvalidScore", `scoringRule (batch): expected a list of ${batch.length} scores`);
      }
      v.forEach((s, j) => scores.push(toScore(s, `scoringRule (batch item ${i + j})`)));
    }
    return scores;
  }
  const scores: number[] = [];
  for (const e of eligible) {
    const v = await evaluateRule(rule, {
      scope: { job: job.labels, worker: e.worker.labels },
      payload: { ...base, worker: e.worker.labels },
      http: deps.http,
      tokens: deps.tokens,
      now: deps.now,
    });
    scores.push(toScore(v, `scoringRule (worker ${e.worker.id})`));
  }
  return scores;
}

export async function orderBestWorker(
  job: MatchableJob,
  eligible: readonly EligibleWorker[],
  mode: BestWorkerMode,
  deps: OrderingDeps,
): Promise<EligibleWorker[]> {
  const scores = await scoreWorkers(job, eligible, mode, deps);
  const descending = mode.scoringRuleOptions?.descendingOrder ?? true;
  return eligible
    .map((e, i) => ({ e, s: scores[i] as number }))
    .sort((a, b) => (a.s !== b.s ? (descending ? b.s - a.s : a.s - b.s) : byId(a.e, b.e)))
    .map((x) => x.e);
}

export async function orderWorkers(
  job: MatchableJob,
  eligible: readonly EligibleWorker[],
  mode: DistributionMode,
  deps: OrderingDeps,
): Promise<EligibleWorker[]> {
  switch (mode.kind) {
    case "longestIdle":
      return orderLongestIdle(eligible);
    case "roundRobin":
      return orderRoundRobin(eligible, deps.roundRobinCursor);
    case "bestWorker":
      return orderBestWorker(job, eligible, mode, deps);
  }
}

/**
 * How many new offers to issue: up to `maxConcurrentOffers` outstanding at once; none while fewer
 * than `minConcurrentOffers` workers could be offered at the same time (the emulator waits until
 * enough workers are eligible, counting offers already out).
 */
export function offersToIssue(mode: DistributionMode, outstanding: number, eligibleCount: number): number {
  const max = Math.max(1, mode.maxConcurrentOffers ?? 1);
  const min = Math.max(1, Math.min(mode.minConcurrentOffers ?? 1, max));
  const room = Math.max(0, max - outstanding);
  const n = Math.min(room, eligibleCount);
  if (outstanding + n < min) return 0;
  return n;
}

/**
 * selectWorkersForOffer without waiting, when the mode needs no rule evaluation (longestIdle, roundRobin, bestWorker
 * with the default score); undefined when it does (a scoring rule: evaluated asynchronously, remote ones over HTTP).
 * The same choice as selectWorkersForOffer makes.
 */
export function selectWorkersNow(
  job: MatchableJob,
  workers: readonly CandidateWorker[],
  mode: DistributionMode,
  outstandingOffers: number,
  deps: OrderingDeps,
): EligibleWorker[] | undefined {
  if (mode.kind === "bestWorker" && mode.scoringRule) return undefined;
  const eligible = eligibleWorkers(job, workers, { bypassSelectors: mode.bypassSelectors ?? false, nowMs: deps.now() });
  const n = offersToIssue(mode, outstandingOffers, eligible.length);
  if (n === 0) return [];
  switch (mode.kind) {
    case "longestIdle":
      return n <= 4 ? firstLongestIdle(eligible, n) : orderLongestIdle(eligible).slice(0, n);
    case "roundRobin":
      return orderRoundRobin(eligible, deps.roundRobinCursor).slice(0, n);
    case "bestWorker": {
      const descending = mode.scoringRuleOptions?.descendingOrder ?? true;
      if (n === 1) {
        // The first of the order below, in one scan (the order is total: ids are unique).
        let best: EligibleWorker | undefined;
        let bestScore = 0;
        for (const e of eligible) {
          const s = defaultScore(job, e.worker);
          if (
            best === undefined ||
            (s !== bestScore ? (descending ? s > bestScore : s < bestScore) : byId(e, best) < 0)
          ) {
            best = e;
            bestScore = s;
          }
        }
        return best === undefined ? [] : [best];
      }
      return eligible
        .map((e) => ({ e, s: defaultScore(job, e.worker) }))
        .sort((a, b) => (a.s !== b.s ? (descending ? b.s - a.s : a.s - b.s) : byId(a.e, b.e)))
        .map((x) => x.e)
        .slice(0, n);
    }
  }
}

/** Choose the workers to offer a job to right now. */
export async function selectWorkersForOffer(
  job: MatchableJob,
  workers: readonly CandidateWorker[],
  mode: DistributionMode,
  outstandingOffers: number,
  deps: OrderingDeps,
): Promise<EligibleWorker[]> {
  const eligible = eligibleWorkers(job, workers, { bypassSelectors: mode.bypassSelectors ?? false, nowMs: deps.now() });
  const n = offersToIssue(mode, outstandingOffers, eligible.length);
  if (n === 0) return [];
  if (mode.kind === "longestIdle" && n <= 4) {
    // Awaited like orderWorkers' answer, so callers resume after the same number of microtask turns as before.
    return await Promise.resolve(firstLongestIdle(eligible, n));
  }
  const ordered = await orderWorkers(job, eligible, mode, deps);
  return ordered.slice(0, n);
}
