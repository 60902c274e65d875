// The figures of one group of callers (a queue, a priority class in a queue, an arrival stream in a queue, all).
//
// Every caller who left the queue counts: answered, abandoned (hung up) and cancelled (an exception policy's cancel,
// a failed classification, or still waiting when the run ended). A share with no caller behind it is null ("n/a" in
// the markdown), never 100% or 0; a mean or percentile over no waits is null too.

import type { JobRecord } from "./run";

export interface QueueStats {
  arrived: number;
  answered: number;
  abandoned: number;
  cancelled: number;
  /** Answered within the first threshold over every caller who left (answered + abandoned + cancelled). */
  serviceLevel: number | null;
  /** The same for every threshold, keyed by the threshold in seconds ("20", "60"). */
  serviceLevels: Record<string, number | null>;
  /** Average speed of answer: mean wait of answered callers. */
  asaSeconds: number | null;
  waitP50Seconds: number | null;
  waitP90Seconds: number | null;
  /** Mean wait of every caller who left: until answered, until they hung up, or until cancelled. */
  meanWaitSeconds: number | null;
  /** Share of callers who left and were not answered at once: waited more than 0 s, or never answered. */
  waitProbability: number | null;
  /** Mean time abandoned callers waited before they hung up. */
  meanAbandonSeconds: number | null;
  /** abandoned / (answered + abandoned + cancelled). */
  abandonRate: number | null;
  /** cancelled / (answered + abandoned + cancelled). */
  cancelRate: number | null;
}

const WAITED_S = 1e-6;
const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const r2 = (x: number): number => Math.round(x * 100) / 100;
const share = (n: number, d: number): number | null => (d === 0 ? null : r4(n / d));
const mean = (xs: readonly number[]): number | null =>
  xs.length === 0 ? null : r2(xs.reduce((s, x) => s + x, 0) / xs.length);

/** Nearest-rank percentile of sorted values (null when empty). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function statsOf(jobs: readonly JobRecord[], thresholds: readonly number[]): QueueStats {
  let answered = 0;
  let abandoned = 0;
  let cancelled = 0;
  let waited = 0;
  const waits: number[] = [];
  const abandonWaits: number[] = [];
  const otherWaits: number[] = [];
  for (const j of jobs) {
    const w = j.waitS ?? 0;
    if (j.outcome === "answered") {
      answered++;
      waits.push(w);
      // Virtual time is in floating-point milliseconds: a wait under a microsecond is rounding, not waiting.
      if (w > WAITED_S) waited++;
    } else {
      // Never answered: waiting was all this caller got.
      waited++;
      if (j.outcome === "abandoned") {
        abandoned++;
        abandonWaits.push(w);
      } else {
        cancelled++;
        otherWaits.push(w);
      }
    }
  }
  waits.sort((a, b) => a - b);
  const left = answered + abandoned + cancelled;
  const serviceLevels: Record<string, number | null> = {};
  for (const t of thresholds) serviceLevels[String(t)] = share(countAtMost(waits, t), left);
  const p = (q: number): number | null => {
    const v = percentile(waits, q);
    return v === null ? null : r2(v);
  };
  return {
    arrived: jobs.length,
    answered,
    abandoned,
    cancelled,
    serviceLevel: serviceLevels[String(thresholds[0])] ?? null,
    serviceLevels,
    asaSeconds: mean(waits),
    waitP50Seconds: p(0.5),
    waitP90Seconds: p(0.9),
    meanWaitSeconds: mean([...waits, ...abandonWaits, ...otherWaits]),
    waitProbability: share(waited, left),
    meanAbandonSeconds: mean(abandonWaits),
    abandonRate: share(abandoned, left),
    cancelRate: share(cancelled, left),
  };
}

/** How many of the sorted values are at most t. */
function countAtMost(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
