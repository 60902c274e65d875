// Exception policies: when a queued job trips a trigger, and what the actions do to it.
//
// Triggers (Job Router docs, "Exception policy"):
// - queueLength fires when a job joins a queue and the queue, counting that job, is longer than
//   `threshold`.
// - waitTime fires when a job has been queued for `thresholdSeconds` (from `enqueuedAt`) and is still
//   queued.
// A rule fires at most once per job per stay in a queue. Actions run in order; a cancel ends the list.

import type { ExceptionAction, ExceptionPolicy, ExceptionTrigger, Labels, Primitive } from "../provider/client/models";

export interface ExceptionRuleLike {
  id: string;
  trigger: ExceptionTrigger;
  actions: ExceptionAction[];
}

export function rulesOf(policy: ExceptionPolicy | undefined): ExceptionRuleLike[] {
  return policy?.exceptionRules ?? [];
}

/** Rules whose queueLength trigger fires for a job that just made the queue `lengthWithJob` long. */
export function queueLengthRulesFired(policy: ExceptionPolicy | undefined, lengthWithJob: number): ExceptionRuleLike[] {
  return rulesOf(policy).filter((r) => r.trigger.kind === "queueLength" && lengthWithJob > r.trigger.threshold);
}

/** waitTime rules with the absolute time at which they fire for a job enqueued at `enqueuedAtMs`. */
export function waitTimeSchedule(
  policy: ExceptionPolicy | undefined,
  enqueuedAtMs: number,
): Array<{ rule: ExceptionRuleLike; atMs: number }> {
  const out: Array<{ rule: ExceptionRuleLike; atMs: number }> = [];
  for (const r of rulesOf(policy)) {
    if (r.trigger.kind === "waitTime") out.push({ rule: r, atMs: enqueuedAtMs + r.trigger.thresholdSeconds * 1000 });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** The actions that take effect: in order, stopping after the first cancel. */
export function effectiveActions(actions: readonly ExceptionAction[]): ExceptionAction[] {
  const out: ExceptionAction[] = [];
  for (const a of actions) {
    out.push(a);
    if (a.kind === "cancel") break;
  }
  return out;
}

/** `labelsToUpsert` merged into a job's labels; a null value removes the label (merge-patch style). */
export function upsertLabels(labels: Labels | undefined, toUpsert: Labels | undefined): Labels {
  const out: Record<string, Primitive> = { ...(labels ?? {}) };
  for (const [k, v] of Object.entries(toUpsert ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}
