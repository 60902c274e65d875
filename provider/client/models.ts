// Job Router REST models for api-version 2023-11-01.
//
// Field names and `kind` spellings are the service's own (see ../shared/jobrouter-rest-facts.md §6).
// Input models (`*Input`, what a client sends in a merge-patch upsert) are kept apart from output
// models (what the service returns, with `id`, `etag` and server-filled fields). Every polymorphic
// type is a discriminated union on `kind`.

/** The one API version this package speaks. */
export const API_VERSION = "2023-11-01";

/** A label or static-rule value: the service accepts JSON primitives only. */
export type Primitive = string | number | boolean | null;
export type Labels = Record<string, Primitive>;

export type LabelOperator =
  "equal" | "notEqual" | "lessThan" | "lessThanOrEqual" | "greaterThan" | "greaterThanOrEqual";
export const LABEL_OPERATORS: readonly LabelOperator[] = [
  "equal",
  "notEqual",
  "lessThan",
  "lessThanOrEqual",
  "greaterThan",
  "greaterThanOrEqual",
];

// ---------------------------------------------------------------- rules

/** Maps the job's labels to worker selectors one to one. */
export interface DirectMapRouterRule {
  /** The rule's kind: `directMap`. */
  kind: "directMap";
}
/** A PowerFx expression evaluated over the job's labels. */
export interface ExpressionRouterRule {
  /** The rule's kind: `expression`. */
  kind: "expression";
  /** The expression language; only `powerFx` exists. */
  language?: "powerFx";
  /** The PowerFx expression (kind `expression`), for example `If(job.Region = "EU", 10, 1)`. */
  expression: string;
}
/** How Job Router authenticates to an Azure Function rule. */
export interface FunctionRouterRuleCredential {
  /** The function's access key. Secret: always stored encrypted. */
  functionKey?: string;
  /** The function app's host key, used with `clientId`. Secret: always stored encrypted. */
  appKey?: string;
  /** The client id used with `appKey`. */
  clientId?: string;
}
/** An Azure Function that Job Router calls with the job's labels. */
export interface FunctionRouterRule {
  /** The rule's kind: `function`. */
  kind: "function";
  /** The Azure Function's URL (kind `function`). */
  functionUri: string;
  /** The credential for the function (kind `function`); its keys are secret. */
  credential?: FunctionRouterRuleCredential;
}
/** A fixed value. */
export interface StaticRouterRule {
  /** The rule's kind: `static`. */
  kind: "static";
  /** The value (kind `static`): a primitive; in a ruleEngine selector attachment also the list of selectors the rule returns. */
  value?: Primitive | RouterWorkerSelectorInput[];
}
/** OAuth2 client credentials for a webhook rule. */
export interface OAuth2WebhookClientCredential {
  /** The OAuth2 client id. */
  clientId?: string;
  /** The OAuth2 client secret. Secret: always stored encrypted. */
  clientSecret?: string;
}
/** A webhook that Job Router calls with the job's labels, authenticated with OAuth2 client credentials. */
export interface WebhookRouterRule {
  /** The rule's kind: `webhook`. */
  kind: "webhook";
  /** The OAuth2 token endpoint (kind `webhook`). */
  authorizationServerUri?: string;
  /** The OAuth2 client credentials (kind `webhook`); the client secret is secret. */
  clientCredential?: OAuth2WebhookClientCredential;
  /** The webhook's URL (kind `webhook`). */
  webhookUri?: string;
}
/** A rule that computes a value from a job: `directMap`, `expression`, `function`, `static` or `webhook`. */
export type RouterRule =
  DirectMapRouterRule | ExpressionRouterRule | FunctionRouterRule | StaticRouterRule | WebhookRouterRule;
export type RouterRuleKind = RouterRule["kind"];
export const ROUTER_RULE_KINDS: readonly RouterRuleKind[] = [
  "directMap",
  "expression",
  "function",
  "static",
  "webhook",
];

// ---------------------------------------------------------------- selectors

/** A condition on a queue's labels. */
export interface RouterQueueSelector {
  /** The label's name. */
  key: string;
  /** How the label is compared: equal, notEqual, lessThan, lessThanOrEqual, greaterThan or greaterThanOrEqual. */
  labelOperator: LabelOperator;
  /** The value compared with (a string, number, boolean or null). */
  value?: Primitive;
}

/** A condition on a worker's labels. */
export interface RouterWorkerSelectorInput {
  /** The label's name. */
  key: string;
  /** How the label is compared: equal, notEqual, lessThan, lessThanOrEqual, greaterThan or greaterThanOrEqual. */
  labelOperator: LabelOperator;
  /** The value compared with (a string, number, boolean or null). */
  value?: Primitive;
  /** Seconds after which the selector expires and no longer applies. */
  expiresAfterSeconds?: number;
  /** Moves the job to the front of the queue while the selector is active. */
  expedite?: boolean;
}
export interface RouterWorkerSelector extends RouterWorkerSelectorInput {
  /** Read-only. */
  status?: "active" | "expired";
  /** Read-only, date-time. */
  expiresAt?: string;
}

/** One branch of a weighted allocation of queue selectors. */
export interface QueueWeightedAllocation {
  /** The share of jobs that get this branch's selectors (the weights of an attachment add up to 1). */
  weight: number;
  /** The queue selectors attached in this branch. */
  queueSelectors: RouterQueueSelector[];
}
/** One branch of a weighted allocation of worker selectors. */
export interface WorkerWeightedAllocation {
  /** The share of jobs that get this branch's selectors (the weights of an attachment add up to 1). */
  weight: number;
  /** The worker selectors attached in this branch. */
  workerSelectors: RouterWorkerSelectorInput[];
}

/** Attaches queue selectors to a job during classification, by kind. */
export type QueueSelectorAttachment =
  | {
      /** The attachment's kind: conditional, passThrough, ruleEngine, static or weightedAllocation. */
      kind: "conditional";
      /** The rule whose result decides whether the selectors are attached (kind `conditional`). */
      condition: RouterRule;
      /** The queue selectors attached when the condition holds (kind `conditional`). */
      queueSelectors: RouterQueueSelector[];
    }
  | {
      kind: "passThrough";
      /** The job label passed through as a selector (kind `passThrough`). */
      key: string;
      /** How the passed-through label is compared (kind `passThrough`). */
      labelOperator: LabelOperator;
    }
  | {
      kind: "ruleEngine";
      /** The rule that returns the selectors (kind `ruleEngine`). */
      rule: RouterRule;
    }
  | {
      kind: "static";
      /** The queue selector always attached (kind `static`). */
      queueSelector: RouterQueueSelector;
    }
  | {
      kind: "weightedAllocation";
      /** The branches, one of which is picked by weight (kind `weightedAllocation`). */
      allocations: QueueWeightedAllocation[];
    };

// A policy's worker selectors are sent without `status`; the service answers them with `"expedite": false` (unless
// sent true) and `"status": "active"`, which the canonical form treats as absent.
/** Attaches worker selectors to a job during classification, by kind. */
export type WorkerSelectorAttachment =
  | {
      /** The attachment's kind: conditional, passThrough, ruleEngine, static or weightedAllocation. */
      kind: "conditional";
      /** The rule whose result decides whether the selectors are attached (kind `conditional`). */
      condition: RouterRule;
      /** The worker selectors attached when the condition holds (kind `conditional`). */
      workerSelectors: RouterWorkerSelectorInput[];
    }
  | {
      kind: "passThrough";
      /** The job label passed through as a selector (kind `passThrough`). */
      key: string;
      /** How the passed-through label is compared (kind `passThrough`). */
      labelOperator: LabelOperator;
      /** Seconds after which the passed-through selector expires (kind `passThrough`). */
      expiresAfterSeconds?: number;
    }
  | {
      kind: "ruleEngine";
      /** The rule that returns the selectors (kind `ruleEngine`). */
      rule: RouterRule;
    }
  | {
      kind: "static";
      /** The worker selector always attached (kind `static`). */
      workerSelector: RouterWorkerSelectorInput;
    }
  | {
      kind: "weightedAllocation";
      /** The branches, one of which is picked by weight (kind `weightedAllocation`). */
      allocations: WorkerWeightedAllocation[];
    };

export type SelectorAttachmentKind = QueueSelectorAttachment["kind"];
export const SELECTOR_ATTACHMENT_KINDS: readonly SelectorAttachmentKind[] = [
  "conditional",
  "passThrough",
  "ruleEngine",
  "static",
  "weightedAllocation",
];

// ---------------------------------------------------------------- distribution policies

export type ScoringRuleParameterSelector = "jobLabels" | "workerSelectors";
/** How a best-worker scoring rule is called. */
export interface ScoringRuleOptions {
  /** How many workers are scored in one call when batch scoring is enabled. */
  batchSize?: number;
  /** What the scoring rule receives: `jobLabels` and/or `workerSelectors`. */
  scoringParameters?: ScoringRuleParameterSelector[];
  /** Scores several workers in one call. */
  isBatchScoringEnabled?: boolean;
  /** Offers to the highest score first (true) or the lowest (false). */
  descendingOrder?: boolean;
}

interface DistributionModeBase {
  /** The fewest workers offered a job at once (default 1). */
  minConcurrentOffers?: number;
  /** The most workers offered a job at once (default 1). */
  maxConcurrentOffers?: number;
  /** When true, label selectors are ignored during matching. */
  bypassSelectors?: boolean;
}
export interface BestWorkerMode extends DistributionModeBase {
  /** The mode's kind: bestWorker, longestIdle or roundRobin. */
  kind: "bestWorker";
  /** The rule that scores workers (kind `bestWorker`); without it workers are scored by how well their labels match. */
  scoringRule?: RouterRule;
  /** How the scoring rule is called (kind `bestWorker`). */
  scoringRuleOptions?: ScoringRuleOptions;
}
export interface LongestIdleMode extends DistributionModeBase {
  kind: "longestIdle";
}
export interface RoundRobinMode extends DistributionModeBase {
  kind: "roundRobin";
}
/** Which workers are offered a job: bestWorker, longestIdle or roundRobin. */
export type DistributionMode = BestWorkerMode | LongestIdleMode | RoundRobinMode;
export type DistributionModeKind = DistributionMode["kind"];
export const DISTRIBUTION_MODE_KINDS: readonly DistributionModeKind[] = ["bestWorker", "longestIdle", "roundRobin"];

export interface DistributionPolicyInput {
  /** The policy's display name. */
  name?: string;
  /** Seconds until an offer made under this policy expires. */
  offerExpiresAfterSeconds?: number;
  /** Which workers are offered a job: bestWorker, longestIdle or roundRobin. */
  mode?: DistributionMode;
}

// ---------------------------------------------------------------- queues

export interface RouterQueueInput {
  /** The queue's display name. */
  name?: string;
  /** The id of the distribution policy that decides how the queue's jobs are offered (required by the service). */
  distributionPolicyId?: string;
  /** The queue's labels (string, number, boolean or null values), matched by queue selectors. */
  labels?: Labels;
  /** The id of the exception policy applied to the queue's jobs. */
  exceptionPolicyId?: string;
}

// ---------------------------------------------------------------- classification policies

export interface ClassificationPolicyInput {
  /** The policy's display name. */
  name?: string;
  /** The queue a job goes to when the queue selectors match no queue. */
  fallbackQueueId?: string;
  /** Attach queue selectors to a job, which pick its queue. */
  queueSelectorAttachments?: QueueSelectorAttachment[];
  /** The rule that computes a job's priority. */
  prioritizationRule?: RouterRule;
  /** Attach worker selectors to a job, which limit the workers it is offered to. */
  workerSelectorAttachments?: WorkerSelectorAttachment[];
}

// ---------------------------------------------------------------- exception policies

/** When an exception rule fires: queueLength or waitTime. */
export type ExceptionTrigger =
  | {
      /** The trigger's kind: queueLength or waitTime. */
      kind: "queueLength";
      /** The queue length at which the rule fires (kind `queueLength`). */
      threshold: number;
    }
  | {
      kind: "waitTime";
      /** Seconds a job has waited in the queue when the rule fires (kind `waitTime`). */
      thresholdSeconds: number;
    };
export type ExceptionTriggerKind = ExceptionTrigger["kind"];

/** What an exception rule does to a job: cancel, manualReclassify or reclassify. */
export type ExceptionAction =
  | {
      /** The action's kind: cancel, manualReclassify or reclassify. */
      kind: "cancel";
      /** The action's id, unique within the policy; derived from the rule and position when left out. */
      id?: string;
      /** A note added to the cancelled job (kind `cancel`). */
      note?: string;
      /** The disposition code of the cancelled job (kind `cancel`). */
      dispositionCode?: string;
    }
  | {
      kind: "manualReclassify";
      id?: string;
      /** The queue the job is moved to (kind `manualReclassify`). */
      queueId?: string;
      /** The job's new priority (kind `manualReclassify`). */
      priority?: number;
      /** The job's new worker selectors (kind `manualReclassify`). */
      workerSelectors?: RouterWorkerSelectorInput[];
    }
  | {
      kind: "reclassify";
      id?: string;
      /** The classification policy the job is classified with again (kind `reclassify`). */
      classificationPolicyId?: string;
      /** Labels set on the job before it is classified again (kind `reclassify`). */
      labelsToUpsert?: Labels;
    };
export type ExceptionActionKind = ExceptionAction["kind"];

/** A trigger and the actions taken when it fires. */
export interface ExceptionRule {
  /** The rule's id, unique within the policy. */
  id: string;
  /** When the rule fires. */
  trigger: ExceptionTrigger;
  /** What is done to the job when the rule fires. */
  actions: ExceptionAction[];
}

export interface ExceptionPolicyInput {
  /** The policy's display name. */
  name?: string;
  /** The policy's rules. */
  exceptionRules?: ExceptionRule[];
}

// ---------------------------------------------------------------- stored objects (output models)

/** Fields every stored object carries in responses. `etag` is the quoted ETag, as in the header. */
export interface Stored {
  id: string;
  etag: string;
}
export type DistributionPolicy = Stored & DistributionPolicyInput;
export type RouterQueue = Stored & RouterQueueInput;
export type ClassificationPolicy = Stored & ClassificationPolicyInput;
export type ExceptionPolicy = Stored &
  Omit<ExceptionPolicyInput, "exceptionRules"> & {
    /** Action ids are always present in responses: the service generates missing ones. */
    exceptionRules?: Array<Omit<ExceptionRule, "actions"> & { actions: Array<ExceptionAction & { id: string }> }>;
  };

export interface RouterQueueStatistics {
  queueId: string;
  length: number;
  estimatedWaitTimeMinutes?: Record<string, number>;
  longestJobWaitTimeMinutes?: number;
}

/** The four administration collections, by path segment. */
export type AdminCollection = "distributionPolicies" | "queues" | "classificationPolicies" | "exceptionPolicies";
export const ADMIN_COLLECTIONS: readonly AdminCollection[] = [
  "distributionPolicies",
  "queues",
  "classificationPolicies",
  "exceptionPolicies",
];
export interface AdminInputByCollection {
  distributionPolicies: DistributionPolicyInput;
  queues: RouterQueueInput;
  classificationPolicies: ClassificationPolicyInput;
  exceptionPolicies: ExceptionPolicyInput;
}
export interface AdminOutputByCollection {
  distributionPolicies: DistributionPolicy;
  queues: RouterQueue;
  classificationPolicies: ClassificationPolicy;
  exceptionPolicies: ExceptionPolicy;
}

// ---------------------------------------------------------------- jobs

export type RouterJobStatus =
  | "pendingClassification"
  | "queued"
  | "assigned"
  | "completed"
  | "closed"
  | "cancelled"
  | "classificationFailed"
  | "created"
  | "pendingSchedule"
  | "scheduled"
  | "scheduleFailed"
  | "waitingForActivation";

export type JobMatchingMode =
  { kind: "queueAndMatch" } | { kind: "scheduleAndSuspend"; scheduleAt: string } | { kind: "suspend" };

export interface RouterJobNote {
  message: string;
  addedAt?: string;
}

export interface RouterJobInput {
  channelReference?: string;
  channelId?: string;
  classificationPolicyId?: string;
  queueId?: string;
  priority?: number;
  dispositionCode?: string;
  requestedWorkerSelectors?: RouterWorkerSelectorInput[];
  labels?: Labels;
  tags?: Labels;
  notes?: RouterJobNote[];
  matchingMode?: JobMatchingMode;
}

export interface RouterJobAssignment {
  assignmentId: string;
  workerId?: string;
  assignedAt: string;
  completedAt?: string;
  closedAt?: string;
}

export interface RouterJob extends Stored, Omit<RouterJobInput, "requestedWorkerSelectors"> {
  status?: RouterJobStatus;
  enqueuedAt?: string;
  requestedWorkerSelectors?: RouterWorkerSelector[];
  attachedWorkerSelectors?: RouterWorkerSelector[];
  assignments?: Record<string, RouterJobAssignment>;
  scheduledAt?: string;
}

export type RouterJobStatusSelector = RouterJobStatus | "all" | "active";

export interface ListJobsOptions {
  status?: RouterJobStatusSelector;
  queueId?: string;
  channelId?: string;
  classificationPolicyId?: string;
  scheduledBefore?: Date | string;
  scheduledAfter?: Date | string;
  maxPageSize?: number;
}

export interface RouterJobPositionDetails {
  jobId: string;
  position: number;
  queueId: string;
  queueLength: number;
  estimatedWaitTimeMinutes?: number;
}

export interface CancelJobOptions {
  note?: string;
  dispositionCode?: string;
}
export interface CompleteJobOptions {
  note?: string;
}
export interface CloseJobOptions {
  dispositionCode?: string;
  closeAt?: Date | string;
  note?: string;
}
export interface UnassignJobOptions {
  suspendMatching?: boolean;
}
export interface UnassignJobResult {
  jobId: string;
  unassignmentCount: number;
}

/** A job's fields in the order the service returns them (after `id` and `etag`) [rec]. */
export const ROUTER_JOB_FIELDS = [
  "channelReference",
  "status",
  "enqueuedAt",
  "channelId",
  "classificationPolicyId",
  "queueId",
  "priority",
  "dispositionCode",
  "requestedWorkerSelectors",
  "attachedWorkerSelectors",
  "labels",
  "assignments",
  "tags",
  "notes",
  "scheduledAt",
  "matchingMode",
] as const;

// ---------------------------------------------------------------- workers and offers

export type RouterWorkerState = "active" | "draining" | "inactive";

export interface RouterChannel {
  channelId: string;
  capacityCostPerJob: number;
  maxNumberOfJobs?: number;
}

export interface RouterWorkerInput {
  queues?: string[];
  capacity?: number;
  labels?: Labels;
  tags?: Labels;
  channels?: RouterChannel[];
  availableForOffers?: boolean;
}

export interface RouterJobOffer {
  offerId: string;
  jobId: string;
  capacityCost: number;
  offeredAt?: string;
  expiresAt?: string;
}

export interface RouterWorkerAssignment {
  assignmentId: string;
  jobId: string;
  capacityCost: number;
  assignedAt: string;
}

export interface RouterWorker extends Stored, RouterWorkerInput {
  state?: RouterWorkerState;
  offers?: RouterJobOffer[];
  assignedJobs?: RouterWorkerAssignment[];
  loadRatio?: number;
}

/** A worker's fields in the order the service returns them (after `id` and `etag`) [rec]. */
export const ROUTER_WORKER_FIELDS = [
  "state",
  "queues",
  "capacity",
  "labels",
  "tags",
  "channels",
  "offers",
  "assignedJobs",
  "loadRatio",
  "availableForOffers",
] as const;

export interface ListWorkersOptions {
  state?: RouterWorkerState | "all";
  channelId?: string;
  queueId?: string;
  hasCapacity?: boolean;
  maxPageSize?: number;
}

export interface AcceptJobOfferResult {
  assignmentId: string;
  jobId: string;
  workerId: string;
}
export interface DeclineJobOfferOptions {
  retryOfferAt?: Date | string;
}

// ---------------------------------------------------------------- errors and paging

/** The real service wraps errors in `communicationError` (not the spec's `error`). */
export interface CommunicationErrorBody {
  code: string;
  message: string;
  target?: string;
  details?: CommunicationErrorBody[];
  innererror?: { code?: string; innererror?: unknown };
}
export interface CommunicationErrorResponse {
  communicationError: CommunicationErrorBody;
}

export interface Page<T> {
  value: T[];
  nextLink?: string;
}

/**
 * Merge-patch body: every field may be `null`, which removes it on the service (RFC 7396).
 * Nested maps (labels, tags) may hold `null` values to remove single entries.
 */
export type MergePatch<T> = {
  [K in keyof T]?: T[K] extends Labels | undefined ? Record<string, Primitive> | null : T[K] | null;
};

// ---------------------------------------------------------------- events

/**
 * The events Job Router publishes through Event Grid, without the `Microsoft.Communication.` prefix: the one list the
 * emulator raises and the ContactCenter subscribes to by default.
 */
export const ROUTER_EVENT_NAMES = [
  "RouterJobReceived",
  "RouterJobClassified",
  "RouterJobQueued",
  "RouterJobClassificationFailed",
  "RouterJobCompleted",
  "RouterJobClosed",
  "RouterJobCancelled",
  "RouterJobExceptionTriggered",
  "RouterJobWorkerSelectorsExpired",
  "RouterJobUnassigned",
  "RouterJobWaitingForActivation",
  "RouterJobSchedulingFailed",
  "RouterJobDeleted",
  "RouterWorkerOfferIssued",
  "RouterWorkerOfferAccepted",
  "RouterWorkerOfferDeclined",
  "RouterWorkerOfferRevoked",
  "RouterWorkerOfferExpired",
  "RouterWorkerRegistered",
  "RouterWorkerDeregistered",
  "RouterWorkerUpdated",
  "RouterWorkerDeleted",
] as const;
export type RouterEventName = (typeof ROUTER_EVENT_NAMES)[number];
