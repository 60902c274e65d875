// A Job Router configuration as the service stores it: the four administration collections, each a list of
// REST objects with their ids. The routing core reads policies through this index, never through a store.

import type {
  ClassificationPolicyInput,
  DistributionPolicyInput,
  ExceptionRule,
  RouterQueueInput,
} from "../provider/client/models";

export type DistributionPolicyObject = DistributionPolicyInput & { id: string };
export type QueueObject = RouterQueueInput & { id: string };
export type ClassificationPolicyObject = ClassificationPolicyInput & { id: string };
export interface ExceptionPolicyObject {
  id: string;
  name?: string;
  exceptionRules?: ExceptionRule[];
}

export interface RoutingConfig {
  distributionPolicies: DistributionPolicyObject[];
  queues: QueueObject[];
  classificationPolicies: ClassificationPolicyObject[];
  exceptionPolicies: ExceptionPolicyObject[];
}

/** The configuration by id, for lookups while routing. */
export class ConfigIndex {
  readonly distributionPolicies = new Map<string, DistributionPolicyObject>();
  readonly queues = new Map<string, QueueObject>();
  readonly classificationPolicies = new Map<string, ClassificationPolicyObject>();
  readonly exceptionPolicies = new Map<string, ExceptionPolicyObject>();
  /**
   * Queues in id order (the order classification's queue selectors resolve ties in), each with the `Id` label the
   * service adds to every queue, so that a selector on `Id` matches as it does in Job Router.
   */
  readonly queueList: QueueObject[];

  constructor(config: RoutingConfig) {
    for (const o of config.distributionPolicies) this.distributionPolicies.set(o.id, o);
    for (const o of config.queues) this.queues.set(o.id, o);
    for (const o of config.classificationPolicies) this.classificationPolicies.set(o.id, o);
    for (const o of config.exceptionPolicies) this.exceptionPolicies.set(o.id, o);
    this.queueList = [...this.queues.values()]
      .map((q) => ({ ...q, labels: { Id: q.id, ...(q.labels ?? {}) } }))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  distributionPolicyOf(queueId: string | undefined): DistributionPolicyObject | undefined {
    const q = queueId === undefined ? undefined : this.queues.get(queueId);
    return q?.distributionPolicyId === undefined ? undefined : this.distributionPolicies.get(q.distributionPolicyId);
  }

  exceptionPolicyOf(queueId: string | undefined): ExceptionPolicyObject | undefined {
    const q = queueId === undefined ? undefined : this.queues.get(queueId);
    return q?.exceptionPolicyId === undefined ? undefined : this.exceptionPolicies.get(q.exceptionPolicyId);
  }
}
