// Argument types of the four resources: the REST models of 2023-11-01 (provider/client/models.ts), with
// every value accepting a `pulumi.Input`. The discriminator `kind` stays a plain literal so unions still
// narrow, and so a JSON body from the Job Router documentation type-checks as it is.

import type * as pulumi from "@pulumi/pulumi";
import type {
  ClassificationPolicyInput,
  DistributionPolicyInput,
  ExceptionPolicyInput,
  Primitive,
  RouterQueueInput,
} from "./client/models";
import type { Connection } from "./connection";

/**
 * `T` with `pulumi.Input` at every level. Conditional types distribute over unions, so discriminated
 * unions (rules, attachments, modes, triggers, actions) stay discriminated.
 */
export type DeepInput<T> = T extends Primitive
  ? T
  : T extends Array<infer U>
    ? Array<pulumi.Input<DeepInput<U>>>
    : T extends object
      ? { [K in keyof T]: K extends "kind" ? T[K] : pulumi.Input<DeepInput<T[K]>> }
      : T;

/** Inputs every resource has besides the service's fields. */
export interface CommonArgs {
  /**
   * How to reach Job Router: a connection string (`endpoint=https://...;accesskey=...`), or
   * `{endpoint, accessKey}`, or `{endpoint}` alone for Entra ID (DefaultAzureCredential).
   * Defaults to the secret stack config `jobrouter:connectionString`, then the environment variable
   * `JOBROUTER_CONNECTION_STRING`. Always stored encrypted.
   */
  connection?: pulumi.Input<string | DeepInput<Exclude<Connection, string>>>;
  /**
   * Take over an object that already exists with this id instead of failing (`pulumi import` does not work for
   * dynamic resources; this is the way to adopt). `true`: only when the live object already equals this
   * program's spec, and without any write; when it differs the create is refused with the differing fields.
   * `"overwrite"`: take it over and write this program's spec over it. Matters only at create. An object
   * another stack of this project manages is never taken. See docs/ownership.md.
   */
  adoptExisting?: pulumi.Input<boolean | "overwrite">;
  /**
   * Leave the object on the service when this resource is deleted (only its state entry goes). Default: `true`
   * for an object this resource adopted (`adoptExisting`), `false` for one it created. Kept in the stack's state,
   * so a delete on any machine honours it; changing it is an update that writes nothing; never sent to the
   * service. Set it to `true` on the old resource before moving an object to another resource or stack.
   */
  leaveOnDelete?: pulumi.Input<boolean>;
  /**
   * Set by ContactCenter for the objects it makes: how error messages name the object, in the component's
   * terms (`ContactCenter "contoso" queues.sales`). Not sent to the service and not kept in state.
   */
  componentOrigin?: string;
}

type Fields<T> = { [K in keyof T]?: pulumi.Input<DeepInput<T[K]>> };

export interface DistributionPolicyArgs extends CommonArgs, Fields<DistributionPolicyInput> {
  /** The Job Router id; defaults to the resource name. Changing it replaces the policy. */
  distributionPolicyId?: pulumi.Input<string>;
}

export interface RouterQueueArgs extends CommonArgs, Fields<RouterQueueInput> {
  /** The Job Router id; defaults to the resource name. Changing it replaces the queue. */
  queueId?: pulumi.Input<string>;
}

export interface ClassificationPolicyArgs extends CommonArgs, Fields<ClassificationPolicyInput> {
  /** The Job Router id; defaults to the resource name. Changing it replaces the policy. */
  classificationPolicyId?: pulumi.Input<string>;
}

export interface ExceptionPolicyArgs extends CommonArgs, Fields<ExceptionPolicyInput> {
  /** The Job Router id; defaults to the resource name. Changing it replaces the policy. */
  exceptionPolicyId?: pulumi.Input<string>;
}
