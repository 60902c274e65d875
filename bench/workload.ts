// The objects the benchmark (and the reliability tests) create: N Job Router objects in the mix a contact center
// has, one block of ten at a time. One source for both sides of every comparison: the Pulumi program in
// bench/program requires this module (copied beside it by bench/cli.ts), and the client baseline uses it directly, so
// "the same objects" is true by construction.
//
// A block: 1 exception policy, 2 distribution policies, 5 queues (on a policy of the block; the first queue also on
// the exception policy), 2 classification policies (fallback queue in the block; the first one's prioritization
// rule is an Azure Function with a secret key when a key is given). A partial last block keeps dependency order.

import type {
  AdminCollection,
  ClassificationPolicyInput,
  DistributionPolicyInput,
  ExceptionPolicyInput,
  RouterQueueInput,
  RouterRule,
} from "../provider/client/models";

/** Fields that hold another bench object's id; the program passes that resource's `id` output there. */
export type RefField = "distributionPolicyId" | "exceptionPolicyId" | "fallbackQueueId";

interface Common {
  id: string;
  /** Position in creation order (also the order the program declares them). */
  index: number;
  /** References to earlier objects: field → id. */
  refs: Partial<Record<RefField, string>>;
}

export type BenchObject =
  | (Common & { collection: "exceptionPolicies"; body: ExceptionPolicyInput })
  | (Common & { collection: "distributionPolicies"; body: DistributionPolicyInput })
  | (Common & { collection: "queues"; body: RouterQueueInput })
  | (Common & {
      collection: "classificationPolicies";
      body: ClassificationPolicyInput;
      /** The prioritization rule is a function rule whose `credential.functionKey` the caller fills in. */
      needsFunctionKey: boolean;
    });

export interface WorkloadOptions {
  /** The first `changed` objects get " v2" appended to their name: an update of exactly that many objects. */
  changed?: number;
  /** Id prefix; default "b". */
  prefix?: string;
  /** Give the first classification policy of each block a function rule (its key supplied by the caller). */
  functionRules?: boolean;
}

const PATTERN = ["ep", "dp", "dp", "q", "q", "q", "q", "q", "cp", "cp"] as const;
export const BLOCK_SIZE = PATTERN.length;

/** Pulumi resource type names, by collection (the token is `pulumi-nodejs:dynamic/jobrouter:<name>`). */
export const TYPE_NAMES: Readonly<Record<AdminCollection, string>> = {
  exceptionPolicies: "ExceptionPolicy",
  distributionPolicies: "DistributionPolicy",
  queues: "RouterQueue",
  classificationPolicies: "ClassificationPolicy",
};

/** The property that carries the Job Router id of each kind. */
export const ID_KEYS: Readonly<Record<AdminCollection, string>> = {
  exceptionPolicies: "exceptionPolicyId",
  distributionPolicies: "distributionPolicyId",
  queues: "queueId",
  classificationPolicies: "classificationPolicyId",
};

export function benchObjects(n: number, options: WorkloadOptions = {}): BenchObject[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`benchObjects: n must be a whole number >= 0 (got ${n})`);
  const changed = options.changed ?? 0;
  const prefix = options.prefix ?? "b";
  const out: BenchObject[] = [];
  const idAt = (block: number, slot: number): string => `${prefix}-${PATTERN[slot]}-${block}-${slot}`;
  for (let index = 0; index < n; index += 1) {
    const block = Math.floor(index / BLOCK_SIZE);
    const slot = index % BLOCK_SIZE;
    const kind = PATTERN[slot] ?? "q";
    const id = idAt(block, slot);
    const name = `${kind.toUpperCase()} ${block}/${slot}${index < changed ? " v2" : ""}`;
    if (kind === "ep") {
      out.push({
        collection: "exceptionPolicies",
        id,
        index,
        refs: {},
        body: {
          name,
          exceptionRules: [
            {
              id: "too-long",
              trigger: { kind: "queueLength", threshold: 20 + block },
              actions: [{ id: "cancel", kind: "cancel", note: "overflow", dispositionCode: "Overflow" }],
            },
          ],
        },
      });
    } else if (kind === "dp") {
      out.push({
        collection: "distributionPolicies",
        id,
        index,
        refs: {},
        body: {
          name,
          offerExpiresAfterSeconds: 30 + slot,
          mode:
            slot === 1
              ? { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 }
              : { kind: "roundRobin", minConcurrentOffers: 1, maxConcurrentOffers: 2 },
        },
      });
    } else if (kind === "q") {
      const refs: Common["refs"] = { distributionPolicyId: idAt(block, slot % 2 === 1 ? 1 : 2) };
      if (slot === 3) refs.exceptionPolicyId = idAt(block, 0);
      out.push({
        collection: "queues",
        id,
        index,
        refs,
        body: { name, labels: { block: String(block), tier: slot === 3 ? "premium" : "standard" } },
      });
    } else {
      const needsFunctionKey = slot === 8 && options.functionRules === true;
      const prioritizationRule: RouterRule = needsFunctionKey
        ? { kind: "function", functionUri: `https://bench-${block}.azurewebsites.net/api/prioritize` }
        : { kind: "expression", language: "powerFx", expression: 'If(job.tier = "premium", 10, 1)' };
      out.push({
        collection: "classificationPolicies",
        id,
        index,
        refs: { fallbackQueueId: idAt(block, slot === 8 ? 3 : 4) },
        needsFunctionKey,
        body: {
          name,
          prioritizationRule,
          queueSelectorAttachments: [
            { kind: "static", queueSelector: { key: "block", labelOperator: "equal", value: String(block) } },
          ],
        },
      });
    }
  }
  return out;
}

/** How many objects of each collection a workload of n has. */
export function mixOf(objects: readonly BenchObject[]): Record<AdminCollection, number> {
  const mix: Record<AdminCollection, number> = {
    exceptionPolicies: 0,
    distributionPolicies: 0,
    queues: 0,
    classificationPolicies: 0,
  };
  for (const o of objects) mix[o.collection] += 1;
  return mix;
}

/**
 * Creation waves: objects whose references all point to earlier waves. Exception and distribution policies,
 * then queues, then classification policies. The engine orders creates the same way (by dependency).
 */
export function creationWaves(objects: readonly BenchObject[]): BenchObject[][] {
  const waveOf = new Map<string, number>();
  const waves: BenchObject[][] = [];
  for (const o of objects) {
    const deps = Object.values(o.refs).map((id) => waveOf.get(id) ?? -1);
    const wave = deps.length === 0 ? 0 : Math.max(...deps) + 1;
    waveOf.set(o.id, wave);
    (waves[wave] ??= []).push(o);
  }
  return waves;
}
