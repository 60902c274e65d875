// What the exporter works on: the live objects of a namespace in canonical form, and the references between them.

import type { AdminCollection } from "../provider/client/models";
import type { JsonObject } from "../provider/json";

/** One live object: its collection, Job Router id, and canonical spec (server-filled defaults already left out). */
export interface LiveObject {
  readonly collection: AdminCollection;
  readonly id: string;
  readonly spec: JsonObject;
}

/** Every object of the kinds read, per collection, sorted by id. */
export type Namespace = Readonly<Record<AdminCollection, readonly LiveObject[]>>;

/** A path into a spec: property names and array indexes. */
export type SpecPath = ReadonlyArray<string | number>;

/** A field of `from` that names another object by id. */
export interface Reference {
  readonly from: LiveObject;
  readonly path: SpecPath;
  readonly collection: AdminCollection;
  readonly id: string;
}

/** `collection/id`: the key of an object across kinds. */
export function objectKey(collection: AdminCollection, id: string): string {
  return `${collection}/${id}`;
}

/** Collections in the order the generated program declares kinds that do not depend on each other. */
export const COLLECTION_RANK: Readonly<Record<AdminCollection, number>> = {
  distributionPolicies: 0,
  exceptionPolicies: 1,
  queues: 2,
  classificationPolicies: 3,
};

/** Short names accepted by `--kinds`. */
export const KIND_ALIASES: Readonly<Record<string, AdminCollection>> = {
  distributionPolicies: "distributionPolicies",
  distributionPolicy: "distributionPolicies",
  distribution: "distributionPolicies",
  queues: "queues",
  queue: "queues",
  classificationPolicies: "classificationPolicies",
  classificationPolicy: "classificationPolicies",
  classification: "classificationPolicies",
  exceptionPolicies: "exceptionPolicies",
  exceptionPolicy: "exceptionPolicies",
  exception: "exceptionPolicies",
};
