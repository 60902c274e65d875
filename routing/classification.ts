// Classification: resolve a job's queue, priority and attached worker selectors from a
// classification policy (Job Router docs, "Job classification").
//
// Order of queue resolution, as the docs describe it: the queue selected by the queue selector
// attachments; otherwise the job's own `queueId`; otherwise the policy's `fallbackQueueId`; otherwise
// classification fails. When several queues match the selectors the lowest id wins, so tests are
// deterministic (the service's tie-break is not documented).

import type {
  ClassificationPolicy,
  LabelOperator,
  Labels,
  QueueSelectorAttachment,
  RouterQueueSelector,
  RouterRule,
  RouterWorkerSelector,
  RouterWorkerSelectorInput,
  WorkerSelectorAttachment,
} from "../provider/client/models";
import { LABEL_OPERATORS } from "../provider/client/models";
import {
  describeValue,
  evaluateRule,
  isPrimitive,
  RuleError,
  toCondition,
  toPriority,
  type HttpCaller,
  type RuleValue,
  type TokenCache,
} from "./rules";
import { materializeSelector, matchingQueueIds } from "./selectors";

export interface ClassificationDeps {
  http: HttpCaller;
  tokens?: TokenCache;
  /** Uniform in [0, 1); injectable so weighted allocation is testable. */
  random: () => number;
  now: () => number;
}

export interface ClassifiableJob {
  labels?: Labels;
  queueId?: string;
  priority?: number;
}

export interface ClassificationError {
  code: string;
  message: string;
  target?: string;
}

export type ClassificationResult =
  | {
      ok: true;
      queueId: string;
      priority?: number;
      attachedWorkerSelectors: RouterWorkerSelector[];
    }
  | { ok: false; errors: ClassificationError[] };

function ruleContext(job: ClassifiableJob, deps: ClassificationDeps) {
  const labels = job.labels ?? {};
  return {
    scope: { job: labels },
    payload: { job: labels },
    directMapLabels: labels,
    http: deps.http,
    tokens: deps.tokens,
    now: deps.now,
  };
}

/** Pick an allocation by weight with one draw of `random`. Weights need not sum to exactly 1. */
export function pickWeighted<T extends { weight: number }>(
  allocations: readonly T[],
  random: () => number,
): T | undefined {
  const total = allocations.reduce((s, a) => s + (a.weight > 0 ? a.weight : 0), 0);
  if (allocations.length === 0 || total <= 0) return undefined;
  let r = random() * total;
  for (const a of allocations) {
    if (a.weight <= 0) continue;
    if (r < a.weight) return a;
    r -= a.weight;
  }
  return allocations[allocations.length - 1];
}

function isLabelOperator(v: unknown): v is LabelOperator {
  return typeof v === "string" && (LABEL_OPERATORS as readonly string[]).includes(v);
}

/**
 * A rule-engine attachment's value as selectors: directMap (and any plain object) maps each label to
 * an `equal` selector; an array must hold `{key, labelOperator, value}` objects.
 */
export function selectorsFromRuleValue(v: RuleValue, where: string): RouterWorkerSelectorInput[] {
  if (Array.isArray(v)) {
    return v.map((item, i) => {
      if (item === null || typeof item !== "object") {
        throw new RuleError(
          "InvalidSelectors",
          `${where}: item ${i} of the rule's result is ${describeValue(item)}, not a selector`,
        );
      }
      const rec = item as Record<string, unknown>;
      if (
        typeof rec.key !== "string" ||
        !isLabelOperator(rec.labelOperator) ||
        (rec.value !== undefined && !isPrimitive(rec.value))
      ) {
        throw new RuleError(
          "InvalidSelectors",
          `${where}: item ${i} of the rule's result needs key (string), labelOperator (one of ${LABEL_OPERATORS.join(", ")}) and a primitive value`,
        );
      }
      const s: RouterWorkerSelectorInput = { key: rec.key, labelOperator: rec.labelOperator };
      if (rec.value !== undefined) s.value = rec.value as RouterWorkerSelectorInput["value"];
      if (typeof rec.expiresAfterSeconds === "number") s.expiresAfterSeconds = rec.expiresAfterSeconds;
      if (typeof rec.expedite === "boolean") s.expedite = rec.expedite;
      return s;
    });
  }
  if (v !== null && typeof v === "object") {
    return Object.entries(v as Record<string, unknown>)
      .filter(([, value]) => isPrimitive(value))
      .map(([key, value]) => ({
        key,
        labelOperator: "equal" as const,
        value: value as RouterWorkerSelectorInput["value"],
      }));
  }
  throw new RuleError("InvalidSelectors", `${where}: the rule returned ${describeValue(v)}, not a list of selectors`);
}

async function condition(
  rule: RouterRule,
  job: ClassifiableJob,
  deps: ClassificationDeps,
  where: string,
): Promise<boolean> {
  return toCondition(await evaluateRule(rule, ruleContext(job, deps)), where);
}

export async function queueSelectorsFor(
  attachments: readonly QueueSelectorAttachment[],
  job: ClassifiableJob,
  deps: ClassificationDeps,
): Promise<RouterQueueSelector[]> {
  const out: RouterQueueSelector[] = [];
  const labels = job.labels ?? {};
  for (const [i, a] of attachments.entries()) {
    const where = `queueSelectorAttachments[${i}] (${a.kind})`;
    switch (a.kind) {
      case "static":
        out.push(a.queueSelector);
        break;
      case "conditional":
        if (await condition(a.condition, job, deps, `${where}.condition`)) out.push(...a.queueSelectors);
        break;
      case "passThrough":
        // A job without the label contributes no selector.
        if (Object.prototype.hasOwnProperty.call(labels, a.key)) {
          out.push({ key: a.key, labelOperator: a.labelOperator, value: labels[a.key] ?? null });
        }
        break;
      case "ruleEngine": {
        const v = await evaluateRule(a.rule, ruleContext(job, deps));
        for (const s of selectorsFromRuleValue(v, `${where}.rule`)) {
          const q: RouterQueueSelector = { key: s.key, labelOperator: s.labelOperator };
          if (s.value !== undefined) q.value = s.value;
          out.push(q);
        }
        break;
      }
      case "weightedAllocation": {
        const chosen = pickWeighted(a.allocations, deps.random);
        if (chosen) out.push(...chosen.queueSelectors);
        break;
      }
    }
  }
  return out;
}

export async function workerSelectorsFor(
  attachments: readonly WorkerSelectorAttachment[],
  job: ClassifiableJob,
  deps: ClassificationDeps,
): Promise<RouterWorkerSelectorInput[]> {
  const out: RouterWorkerSelectorInput[] = [];
  const labels = job.labels ?? {};
  for (const [i, a] of attachments.entries()) {
    const where = `workerSelectorAttachments[${i}] (${a.kind})`;
    switch (a.kind) {
      case "static":
        out.push(a.workerSelector);
        break;
      case "conditional":
        if (await condition(a.condition, job, deps, `${where}.condition`)) out.push(...a.workerSelectors);
        break;
      case "passThrough":
        if (Object.prototype.hasOwnProperty.call(labels, a.key)) {
          const s: RouterWorkerSelectorInput = {
            key: a.key,
            labelOperator: a.labelOperator,
            value: labels[a.key] ?? null,
          };
          if (a.expiresAfterSeconds !== undefined) s.expiresAfterSeconds = a.expiresAfterSeconds;
          out.push(s);
        }
        break;
      case "ruleEngine":
        out.push(...selectorsFromRuleValue(await evaluateRule(a.rule, ruleContext(job, deps)), `${where}.rule`));
        break;
      case "weightedAllocation": {
        const chosen = pickWeighted(a.allocations, deps.random);
        if (chosen) out.push(...chosen.workerSelectors);
        break;
      }
    }
  }
  return out;
}

/** Run a classification policy against a job. Rule failures become a failed result, never a throw. */
export async function classify(
  job: ClassifiableJob,
  policy: ClassificationPolicy,
  queues: ReadonlyArray<{ id: string; labels?: Labels }>,
  deps: ClassificationDeps,
): Promise<ClassificationResult> {
  try {
    let queueId: string | undefined;
    const selectors = await queueSelectorsFor(policy.queueSelectorAttachments ?? [], job, deps);
    if (selectors.length > 0) queueId = matchingQueueIds(queues, selectors)[0];
    queueId ??= job.queueId ?? policy.fallbackQueueId;
    if (!queueId) {
      return {
        ok: false,
        errors: [
          {
            code: "QueueNotFound",
            message:
              selectors.length > 0
                ? "No queue matches the queue selectors, the job has no queueId and the policy has no fallbackQueueId"
                : "The classification policy selected no queue, the job has no queueId and the policy has no fallbackQueueId",
            target: `classificationPolicies/${policy.id}`,
          },
        ],
      };
    }
    let priority = job.priority;
    if (policy.prioritizationRule) {
      priority = toPriority(
        await evaluateRule(policy.prioritizationRule, ruleContext(job, deps)),
        "prioritizationRule",
      );
    }
    const now = deps.now();
    const attached = (await workerSelectorsFor(policy.workerSelectorAttachments ?? [], job, deps)).map((s) =>
      materializeSelector(s, now),
    );
    const result: ClassificationResult = { ok: true, queueId, attachedWorkerSelectors: attached };
    if (priority !== undefined) result.priority = priority;
    return result;
  } catch (err) {
    if (err instanceof RuleError) {
      return {
        ok: false,
        errors: [{ code: err.code, message: err.message, target: `classificationPolicies/${policy.id}` }],
      };
    }
    throw err;
  }
}
