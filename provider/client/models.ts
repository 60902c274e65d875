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

export interface DirectMapRouterRule {
  kind: "directMap";
}
export interface ExpressionRouterRule {
  kind: "expression";
  /** Only `powerFx` exists. */
  language?: "powerFx";
  expression: string;
}
export interface FunctionRouterRuleCredential {
  /** Secret. */
  functionKey?: string;
  /** Secret. */
  appKey?: string;
  clientId?: string;
}
export interface FunctionRouterRule {
  kind: "function";
  functionUri: string;
  credential?: FunctionRouterRuleCredential;
}
export interface StaticRouterRule {
  kind: "static";
  /** A primitive; in a ruleEngine selector attachment also the list of selectors the rule returns. */
  value?: Primitive | RouterWorkerSelectorInput[];
}
export interface OAuth2WebhookClientCredential {
  clientId?: string;
  /** Secret. */
  clientSecret?: string;
}
export interface WebhookRouterRule {
  kind: "webhook";
  authorizationServerUri?: string;
  clientCredential?: OAuth2WebhookClientCredential;
  webhookUri?: string;
}
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

export interface RouterQueueSelector {
  key: string;
  labelOperator: LabelOperator;
  value?: Primitive;
}

export interface RouterWorkerSelectorInput {
  key: string;
  labelOperator: LabelOperator;
  value?: Primitive;
  expiresAfterSeconds?: number;
  expedite?: boolean;
}
export interface RouterWorkerSelector extends RouterWorkerSelectorInput {
  /** Read-only. */
  status?: "active" | "expired";
  /** Read-only, date-time. */
  expiresAt?: string;
}

export interface QueueWeightedAllocation {
  weight: number;
  queueSelectors: RouterQueueSelector[];
}
export interface WorkerWeightedAllocation {
  weight: number;
  workerSelectors: RouterWorkerSelector[];
}

export type QueueSelectorAttachment =
  | { kind: "conditional"; condition: RouterRule; queueSelectors: RouterQueueSelector[] }
  | { kind: "passThrough"; key: string; labelOperator: LabelOperator }
  | { kind: "ruleEngine"; rule: RouterRule }
  | { kind: "static"; queueSelector: RouterQueueSelector }
  | { kind: "weightedAllocation"; allocations: QueueWeightedAllocation[] };

// A policy's worker selectors are the service's RouterWorkerSelector: sent without `status`, answered with
// `"expedite": false` (unless sent true) and `"status": "active"` (the canonical form treats both as absent).
export type WorkerSelectorAttachment =
  | { kind: "conditional"; condition: RouterRule; workerSelectors: RouterWorkerSelector[] }
  | { kind: "passThrough"; key: string; labelOperator: LabelOperator; expiresAfterSeconds?: number }
  | { kind: "ruleEngine"; rule: RouterRule }
  | { kind: "static"; workerSelector: RouterWorkerSelector }
  | { kind: "weightedAllocation"; allocations: WorkerWeightedAllocation[] };

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
export interface ScoringRuleOptions {
  batchSize?: number;
  scoringParameters?: ScoringRuleParameterSelector[];
  isBatchScoringEnabled?: boolean;
  descendingOrder?: boolean;
}

interface DistributionModeBase {
  minConcurrentOffers?: number;
  maxConcurrentOffers?: number;
  bypassSelectors?: boolean;
}
export interface BestWorkerMode extends DistributionModeBase {
  kind: "bestWorker";
  scoringRule?: RouterRule;
  scoringRuleOptions?: ScoringRuleOptions;
}
export interface LongestIdleMode extends DistributionModeBase {
  kind: "longestIdle";
}
export interface RoundRobinMode extends DistributionModeBase {
  kind: "roundRobin";
}
export type DistributionMode = BestWorkerMode | LongestIdleMode | RoundRobinMode;
export type DistributionModeKind = DistributionMode["kind"];
export const DISTRIBUTION_MODE_KINDS: readonly DistributionModeKind[] = ["bestWorker", "longestIdle", "roundRobin"];

export interface DistributionPolicyInput {
  name?: string;
  offerExpiresAfterSeconds?: number;
  mode?: DistributionMode;
}

// ---------------------------------------------------------------- queues

export interface RouterQueueInput {
  name?: string;
  distributionPolicyId?: string;
  labels?: Labels;
  exceptionPolicyId?: string;
}

// ---------------------------------------------------------------- classification policies

export interface ClassificationPolicyInput {
  name?: string;
  fallbackQueueId?: string;
  queueSelectorAttachments?: QueueSelectorAttachment[];
  prioritizationRule?: RouterRule;
  workerSelectorAttachments?: WorkerSelectorAttachment[];
}

// ---------------------------------------------------------------- exception policies

export type ExceptionTrigger =
  { kind: "queueLength"; threshold: number } | { kind: "waitTime"; thresholdSeconds: number };
export type ExceptionTriggerKind = ExceptionTrigger["kind"];

export type ExceptionAction =
  | { kind: "cancel"; id?: string; note?: string; dispositionCode?: string }
  | {
      kind: "manualReclassify";
      id?: string;
      queueId?: string;
      priority?: number;
      /** Answered with `"expedite": false` and `"status": "active"` on each selector, `[]` when none was sent. */
      workerSelectors?: RouterWorkerSelector[];
    }
  | { kind: "reclassify"; id?: string; classificationPolicyId?: string; labelsToUpsert?: Labels };
export type ExceptionActionKind = ExceptionAction["kind"];

export interface ExceptionRule {
  id: string;
  trigger: ExceptionTrigger;
  actions: ExceptionAction[];
}

export interface ExceptionPolicyInput {
  name?: string;
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
