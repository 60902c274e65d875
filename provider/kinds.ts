// What differs between the four administration resources, in one table, so the check/diff/CRUD code
// is written once and parameterised by kind.

import type { AdminCollection } from "./client/models";

export interface KindInfo {
  /** REST collection (path segment). */
  readonly collection: AdminCollection;
  /** Pulumi type name; the token is `pulumi-nodejs:dynamic/jobrouter:<typeName>`. */
  readonly typeName: string;
  /** The input that carries the Job Router id (the resource's Pulumi `id`). */
  readonly idKey: string;
  /** How errors name the object, e.g. "queue". */
  readonly noun: string;
  /** The service fields this resource manages, in the order the service returns them. */
  readonly fields: readonly string[];
  /**
   * Top-level fields whose value can hold a credential (webhook client secret, function key/app key).
   * They are made secret whenever they hold one, so the whole value is encrypted in state.
   */
  readonly credentialFields: readonly string[];
}

export const KINDS: Readonly<Record<AdminCollection, KindInfo>> = {
  distributionPolicies: {
    collection: "distributionPolicies",
    typeName: "DistributionPolicy",
    idKey: "distributionPolicyId",
    noun: "distribution policy",
    fields: ["name", "offerExpiresAfterSeconds", "mode"],
    credentialFields: ["mode"],
  },
  queues: {
    collection: "queues",
    typeName: "RouterQueue",
    idKey: "queueId",
    noun: "queue",
    fields: ["name", "distributionPolicyId", "labels", "exceptionPolicyId"],
    credentialFields: [],
  },
  classificationPolicies: {
    collection: "classificationPolicies",
    typeName: "ClassificationPolicy",
    idKey: "classificationPolicyId",
    noun: "classification policy",
    fields: ["name", "fallbackQueueId", "queueSelectorAttachments", "prioritizationRule", "workerSelectorAttachments"],
    credentialFields: ["queueSelectorAttachments", "prioritizationRule", "workerSelectorAttachments"],
  },
  exceptionPolicies: {
    collection: "exceptionPolicies",
    typeName: "ExceptionPolicy",
    idKey: "exceptionPolicyId",
    noun: "exception policy",
    fields: ["name", "exceptionRules"],
    credentialFields: [],
  },
};

/** Inputs of ours that are not service fields. */
export const CONNECTION_KEY = "connection";
export const ADOPT_KEY = "adoptExisting";
/**
 * Set by ContactCenter (the resource argument `componentOrigin`): how messages name the object
 * (`ContactCenter "contoso" queues.sales`). Never sent to the service.
 */
export const ORIGIN_KEY = "__componentOrigin";
/** Who manages the object: `project/stack/type/name`, set by the resource classes (see ownership.ts). */
export const OWNER_KEY = "__owner";
// The engine leaves properties whose names start with `__` out of every display (`pulumi preview --diff` lists all
// inputs of a create or delete) and out of what policy packs see, so these two, which the program never writes,
// never show. Stacks written before held them as `owner` and `componentOrigin`: a value keeps the key it came
// under (`bookkeepingKey`), so those resources' inputs do not change and their diffs stay empty.
export const LEGACY_ORIGIN_KEY = "componentOrigin";
export const LEGACY_OWNER_KEY = "owner";

/** The key under which `bag` holds a bookkeeping value (`key`, else its legacy name), if it holds one. */
export function bookkeepingKey(
  bag: Readonly<Record<string, unknown>>,
  key: typeof OWNER_KEY | typeof ORIGIN_KEY,
): string | undefined {
  const legacy = key === OWNER_KEY ? LEGACY_OWNER_KEY : LEGACY_ORIGIN_KEY;
  if (bag[key] !== undefined && bag[key] !== null) return key;
  return bag[legacy] !== undefined && bag[legacy] !== null ? legacy : undefined;
}
/**
 * Whether a delete leaves the object on the service (see ownership.ts). Stored in state, never sent; default: true
 * for an object the resource adopted, false for one it created.
 */
export const LEAVE_KEY = "leaveOnDelete";
/**
 * Output-only: whether the resource adopted its object (adoptExisting) rather than creating it. `false` too for an
 * object brought in with `pulumi import`, which Pulumi manages like one it created.
 */
export const ADOPTED_KEY = "adopted";
/**
 * Set by `check`: the endpoint and key fingerprint of the connection in use (connection.ts connectionIdentity),
 * kept in the state so that a change of connection from any route is seen and checked (connectionCheck.ts).
 */
export const CONNECTED_TO_KEY = "connectedTo";
/** Output-only: the ETag of the last write or read, sent as If-Match on update. */
export const ETAG_KEY = "etag";
/** Set by the dynamic-provider machinery on every input and output bag. */
export const PROVIDER_KEY = "__provider";
