// From a run's job records to the report: per queue and in total, only callers who arrived inside the measured window
// [warmupSeconds, durationSeconds). Numbers are rounded (4 decimals for shares, 2 for seconds) so the JSON is stable
// and readable; keys are written in a fixed order, so the same seed gives the same bytes.

import type { JobRecord, RunResult } from "./run";
import { statsOf, type QueueStats } from "./stats";

export { percentile, statsOf, type QueueStats } from "./stats";

/** A queue's figures, and the same figures per priority class and per arrival stream where the queue had several. */
export interface QueueReport extends QueueStats {
  /** By the priority callers had when last queued (key: the priority), when the queue saw more than one. */
  byPriority?: Record<string, QueueStats>;
  /** By arrival stream (key: the stream's name, or arrivals[i]), when callers of more than one stream ended here. */
  byStream?: Record<string, QueueStats>;
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
  /** Jobs that ended in another queue (some of them also with another outcome: see bothChanged). */
  queueChanged: number;
  /** Jobs that ended with another outcome (some of them also in another queue: see bothChanged). */
  outcomeChanged: number;
  /** Jobs with both another queue and another outcome: count = queueChanged + outcomeChanged − bothChanged. */
  bothChanged: number;
  examples: JobDifference[];
}

export interface Report {
  /** The first service-level threshold: the one `serviceLevel` is measured at. */
  serviceLevelSeconds: number;
  /** Every threshold, in the order given; `serviceLevels` holds one figure for each. */
  serviceLevelThresholds: number[];
  measuredSeconds: number;
  totals: QueueStats;
  queues: Record<string, QueueReport>;
  workerGroups: Record<string, GroupOccupancy>;
  /** Only in `after` of a before/after simulation. */
  differences?: Differences;
}

export interface SimulationReport {
  before?: Report;
  after: Report;
}

const r4 = (x: number): number => Math.round(x * 10000) / 10000;

export interface ReportOptions {
  serviceLevelThresholds: readonly number[];
  warmupSeconds: number;
  durationSeconds: number;
  /** Queue ids of the configuration: every queue gets a row, even one no job reached. */
  queueIds: readonly string[];
  /** Names of the arrival streams, by index. */
  streamNames: readonly string[];
}

export function measured(run: RunResult, o: Pick<ReportOptions, "warmupSeconds" | "durationSeconds">): JobRecord[] {
  return run.jobs.filter((j) => j.arrivedAtS >= o.warmupSeconds && j.arrivedAtS < o.durationSeconds);
}

function groupBy(jobs: readonly JobRecord[], key: (j: JobRecord) => string): Map<string, JobRecord[]> {
  const out = new Map<string, JobRecord[]>();
  for (const j of jobs) {
    const k = key(j);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(j);
  }
  return out;
}

/** Groups as a record in a fixed key order, or undefined when there are fewer than two groups. */
function breakdown(
  groups: Map<string, JobRecord[]>,
  thresholds: readonly number[],
  compare: (a: string, b: string) => number,
): Record<string, QueueStats> | undefined {
  if (groups.size < 2) return undefined;
  const out: Record<string, QueueStats> = {};
  for (const k of [...groups.keys()].sort(compare)) out[k] = statsOf(groups.get(k) ?? [], thresholds);
  return out;
}

function queueReport(jobs: readonly JobRecord[], o: ReportOptions): QueueReport {
  const t = o.serviceLevelThresholds;
  const q: QueueReport = statsOf(jobs, t);
  // Integer-like keys: a JS object (and so the JSON) lists them in ascending order whatever the insertion order.
  const byPriority = breakdown(
    groupBy(jobs, (j) => String(j.priority)),
    t,
    (a, b) => Number(a) - Number(b),
  );
  if (byPriority) q.byPriority = byPriority;
  const byIndex = groupBy(jobs, (j) => String(j.stream));
  const byStream = breakdown(byIndex, t, (a, b) => Number(a) - Number(b));
  if (byStream) {
    q.byStream = {};
    for (const [k, v] of Object.entries(byStream)) q.byStream[o.streamNames[Number(k)] ?? `arrivals[${k}]`] = v;
  }
  return q;
}

export function buildReport(run: RunResult, o: ReportOptions): Report {
  const jobs = measured(run, o);
  const byQueue = groupBy(jobs, (j) => j.queueId);
  for (const q of o.queueIds) if (!byQueue.has(q)) byQueue.set(q, []);
  const queues: Record<string, QueueReport> = {};
  for (const q of [...byQueue.keys()].sort()) queues[q] = queueReport(byQueue.get(q) ?? [], o);
  const workerGroups: Record<string, GroupOccupancy> = {};
  for (const g of [...run.groups].sort((a, b) => (a.idPrefix < b.idPrefix ? -1 : 1))) {
    workerGroups[g.idPrefix] = { workers: g.workers, occupancy: r4(g.staffed === 0 ? 0 : g.busy / g.staffed) };
  }
  return {
    serviceLevelSeconds: o.serviceLevelThresholds[0] as number,
    serviceLevelThresholds: [...o.serviceLevelThresholds],
    measuredSeconds: o.durationSeconds - o.warmupSeconds,
    totals: statsOf(jobs, o.serviceLevelThresholds),
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
  let bothChanged = 0;
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
    if (q && out) bothChanged++;
    if (examples.length < EXAMPLES) {
      examples.push({
        jobId: b.id,
        before: { queueId: b.queueId, outcome: b.outcome ?? "cancelled" },
        after: { queueId: x.queueId, outcome: x.outcome ?? "cancelled" },
      });
    }
  }
  return { count, queueChanged, outcomeChanged, bothChanged, examples };
}
