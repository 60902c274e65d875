// From a run's job records to the report: per queue and in total, only callers who arrived inside the measured window
// [warmupSeconds, durationSeconds). Numbers are rounded (4 decimals for shares, 2 for seconds) so the JSON is stable
// and readable; keys are written in a fixed order, so the same seed gives the same bytes.

import type { JobRecord, RunResult } from "./run";

export interface QueueStats {
  arrived: number;
  answered: number;
  abandoned: number;
  cancelled: number;
  /** Share of answered-or-abandoned jobs answered within serviceLevelSeconds (1 when there were none). */
  serviceLevel: number;
  /** Average speed of answer: mean wait of answered jobs. */
  asaSeconds: number;
  waitP50Seconds: number;
  waitP90Seconds: number;
  /** abandoned / arrived. */
  abandonRate: number;
}

export interface GroupOccupancy {
  workers: number;
  /** Busy capacity over staffed capacity in the measured window (0..1). */
  occupancy: number;
}

export interface JobDifference {
  jobId: string;
  before: { queueId: string; outcome: string };
  after: { queueId: string; outcome: string };
}

export interface Differences {
  /** Measured jobs whose final queue or outcome differs between before and after. */
  count: number;
  queueChanged: number;
  outcomeChanged: number;
  examples: JobDifference[];
}

export interface Report {
  serviceLevelSeconds: number;
  measuredSeconds: number;
  totals: QueueStats;
  queues: Record<string, QueueStats>;
  workerGroups: Record<string, GroupOccupancy>;
  /** Only in `after` of a before/after simulation. */
  differences?: Differences;
}

export interface SimulationReport {
  before?: Report;
  after: Report;
}

const r4 = (x: number): number => Math.round(x * 10000) / 10000;
const r2 = (x: number): number => Math.round(x * 100) / 100;

/** Nearest-rank percentile of sorted values (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function statsOf(jobs: readonly JobRecord[], slSeconds: number): QueueStats {
  let answered = 0;
  let abandoned = 0;
  let cancelled = 0;
  let withinSl = 0;
  const waits: number[] = [];
  for (const j of jobs) {
    if (j.outcome === "answered") {
      answered++;
      const w = j.waitS ?? 0;
      waits.push(w);
      if (w <= slSeconds) withinSl++;
    } else if (j.outcome === "abandoned") abandoned++;
    else cancelled++;
  }
  waits.sort((a, b) => a - b);
  const asa = waits.length === 0 ? 0 : waits.reduce((s, w) => s + w, 0) / waits.length;
  const denominator = answered + abandoned;
  return {
    arrived: jobs.length,
    answered,
    abandoned,
    cancelled,
    serviceLevel: r4(denominator === 0 ? 1 : withinSl / denominator),
    asaSeconds: r2(asa),
    waitP50Seconds: r2(percentile(waits, 0.5)),
    waitP90Seconds: r2(percentile(waits, 0.9)),
    abandonRate: r4(jobs.length === 0 ? 0 : abandoned / jobs.length),
  };
}

export interface ReportOptions {
  serviceLevelSeconds: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** Queue ids of the configuration: every queue gets a row, even one no job reached. */
  queueIds: readonly string[];
}

export function measured(run: RunResult, o: ReportOptions): JobRecord[] {
  return run.jobs.filter((j) => j.arrivedAtS >= o.warmupSeconds && j.arrivedAtS < o.durationSeconds);
}

export function buildReport(run: RunResult, o: ReportOptions): Report {
  const jobs = measured(run, o);
  const byQueue = new Map<string, JobRecord[]>();
  for (const q of o.queueIds) byQueue.set(q, []);
  for (const j of jobs) {
    let list = byQueue.get(j.queueId);
    if (!list) byQueue.set(j.queueId, (list = []));
    list.push(j);
  }
  const queues: Record<string, QueueStats> = {};
  for (const q of [...byQueue.keys()].sort()) queues[q] = statsOf(byQueue.get(q) ?? [], o.serviceLevelSeconds);
  const workerGroups: Record<string, GroupOccupancy> = {};
  for (const g of [...run.groups].sort((a, b) => (a.idPrefix < b.idPrefix ? -1 : 1))) {
    workerGroups[g.idPrefix] = { workers: g.workers, occupancy: r4(g.staffed === 0 ? 0 : g.busy / g.staffed) };
  }
  return {
    serviceLevelSeconds: o.serviceLevelSeconds,
    measuredSeconds: o.durationSeconds - o.warmupSeconds,
    totals: statsOf(jobs, o.serviceLevelSeconds),
    queues,
    workerGroups,
  };
}

const EXAMPLES = 5;

/** Jobs (by id: the same callers in both runs) whose final queue or outcome changed. */
export function differences(before: readonly JobRecord[], after: readonly JobRecord[]): Differences {
  const a = new Map(after.map((j) => [j.id, j]));
  let count = 0;
  let queueChanged = 0;
  let outcomeChanged = 0;
  const examples: JobDifference[] = [];
  for (const b of before) {
    const x = a.get(b.id);
    if (!x) continue;
    const q = b.queueId !== x.queueId;
    const out = b.outcome !== x.outcome;
    if (!q && !out) continue;
    count++;
    if (q) queueChanged++;
    if (out) outcomeChanged++;
    if (examples.length < EXAMPLES) {
      examples.push({
        jobId: b.id,
        before: { queueId: b.queueId, outcome: b.outcome ?? "cancelled" },
        after: { queueId: x.queueId, outcome: x.outcome ?? "cancelled" },
      });
    }
  }
  return { count, queueChanged, outcomeChanged, examples };
}
