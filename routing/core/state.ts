// The routing core's state: jobs and workers as the service models them (the REST bodies of 2023-11-01, so what the
// core decides is what a client reads back), plus the little routing needs to remember that the service does not
// show (when a job entered its queue, which exception rules already fired, declined offers).

import type {
  JobMatchingMode,
  RouterJob,
  RouterJobStatus,
  RouterWorker,
  RouterWorkerSelector,
} from "../../provider/client/models";
import { modernKinds } from "../../provider/client/validation";
import { selectorExpiryMs } from "../selectors";

export type JobBody = Omit<RouterJob, "id" | "etag">;
export type WorkerBody = Omit<RouterWorker, "id" | "etag">;

export interface JobState {
  readonly id: string;
  job: JobBody;
  enqueuedAtMs?: number;
  /** Exception rules already fired during the current stay in a queue. */
  firedRules: string[];
  unassignmentCount: number;
  /** A close with `closeAt` in the future: capacity is released and JobClosed raised then. */
  pendingClose?: { assignmentId: string; atMs: number };
}

export interface WorkerState {
  readonly id: string;
  worker: WorkerBody;
  idleSinceMs: number;
  /** jobId -> retry time in ms; null: never again until the worker re-registers. */
  declines: Record<string, number | null>;
}

export interface FailureDetail {
  code: string;
  message: string;
}

/** A request the state machine refuses; hosts turn it into their own error (the emulator: the service's envelope). */
export class RoutingFailure extends Error {
  constructor(
    readonly kind: "badRequest" | "notFound" | "conflict",
    readonly details: FailureDetail[],
  ) {
    super(details.map((d) => d.message).join("; "));
    this.name = "RoutingFailure";
  }
}

export const badRequest = (code: string, message: string): RoutingFailure =>
  new RoutingFailure("badRequest", [{ code, message }]);
export const notFound = (message: string): RoutingFailure =>
  new RoutingFailure("notFound", [{ code: "NotFound", message }]);
export const conflict = (message: string): RoutingFailure =>
  new RoutingFailure("conflict", [{ code: "Conflict", message }]);

/** Statuses whose jobs no longer count as active (they never block deletes). */
const DONE: readonly RouterJobStatus[] = ["closed", "cancelled"];
export const isActive = (s: RouterJobStatus | undefined): boolean => !DONE.includes(s ?? "created");

const MODERN_MATCHING_KINDS: ReadonlySet<string> = new Set(["queueAndMatch", "scheduleAndSuspend", "suspend"]);

/** A job's matching mode kind under its 2023-11-01 name (the service acts on `schedule-and-suspend` too). */
export function matchingKind(body: Pick<JobBody, "matchingMode">): JobMatchingMode["kind"] {
  const mm: JobMatchingMode = body.matchingMode ?? { kind: "queueAndMatch" };
  return MODERN_MATCHING_KINDS.has(mm.kind) ? mm.kind : modernKinds(mm).kind;
}

/**
 * A copy of a map-like object (assignments by id, declines by job id) with one more entry. The copy has no prototype,
 * which keeps it a dictionary: a fresh object per unique key would otherwise give the engine a new hidden class for
 * every id ever seen (costly in memory and collection time at simulation scale).
 */
export function withEntry<T>(o: Readonly<Record<string, T>> | undefined, key: string, value: T): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (o) for (const k of Object.keys(o)) out[k] = o[k] as T;
  out[key] = value;
  return out;
}

/** The requested time of a scheduleAndSuspend job (any spelling), else undefined. */
export function scheduleAtOf(body: Pick<JobBody, "matchingMode">): string | undefined {
  const mm = modernKinds(body.matchingMode);
  return mm?.kind === "scheduleAndSuspend" ? mm.scheduleAt : undefined;
}

/** Requested and attached selectors together (expired ones included; see activeSelectors). */
export function allSelectors(j: JobState): RouterWorkerSelector[] {
  const r = j.job.requestedWorkerSelectors;
  const a = j.job.attachedWorkerSelectors;
  if (!a || a.length === 0) return r ?? [];
  if (!r || r.length === 0) return a;
  return [...r, ...a];
}

/** Whether a selector of the job has an expiry not yet marked expired (a matching pass marks it when due). */
export function hasUnmarkedExpiry(j: JobState): boolean {
  // Both lists walked in place: joining them allocated a list on every visit of every queued job.
  return unmarked(j.job.requestedWorkerSelectors) || unmarked(j.job.attachedWorkerSelectors);
}

function unmarked(list: readonly RouterWorkerSelector[] | undefined): boolean {
  if (list !== undefined)
    for (const sel of list) if (sel.status !== "expired" && selectorExpiryMs(sel) !== undefined) return true;
  return false;
}

/** Share of the worker's capacity held by its assignments and open offers. */
export function loadRatioOf(w: WorkerState): number {
  const cap = w.worker.capacity ?? 0;
  if (cap <= 0) return 0;
  // [rec: Python SDK, 2023-11-01] outstanding offers count: one open offer of cost 1 on capacity 1 reads 1
  let used = 0;
  for (const a of w.worker.assignedJobs ?? []) used += a.capacityCost;
  for (const o of w.worker.offers ?? []) used += o.capacityCost;
  return Math.min(1, used / cap);
}
