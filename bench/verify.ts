// What the reliability tests (and anyone recovering a stack) need: which bench objects the service holds, which the
// state holds, and the fallback recovery of a deployment whose engine was killed mid-create. (The usual recovery is
// `pulumi refresh --clear-pending-creates` then `pulumi up`, relying on the provider's create journal; this
// transformation is for a machine without that journal, e.g. when the killed run was on a CI runner.)

import type { AdminCollection } from "../provider/client/models";
import { ID_KEYS, TYPE_NAMES } from "./workload";

const TYPE_PREFIX = "pulumi-nodejs:dynamic/jobrouter:";

export interface CheckpointResource {
  urn: string;
  type: string;
  id?: string;
  custom?: boolean;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface PendingOperation {
  type: string;
  resource: CheckpointResource;
  [key: string]: unknown;
}

/** `pulumi stack export`'s `deployment` (and the checkpoint's `latest`): only the fields used here are typed. */
export interface Deployment {
  resources?: CheckpointResource[];
  pending_operations?: PendingOperation[];
  [key: string]: unknown;
}

/** `collection/id` of every Job Router object a deployment records, sorted. */
export function stateObjectKeys(deployment: Deployment): string[] {
  const keys: string[] = [];
  for (const r of deployment.resources ?? []) {
    if (!r.type.startsWith(TYPE_PREFIX)) continue;
    const collection = collectionOfType(r.type);
    keys.push(`${collection}/${r.id ?? ""}`);
  }
  return keys.sort();
}

export function collectionOfType(type: string): AdminCollection {
  const name = type.slice(TYPE_PREFIX.length);
  const found = (Object.keys(TYPE_NAMES) as AdminCollection[]).find((c) => TYPE_NAMES[c] === name);
  if (!found) throw new Error(`not a Job Router resource type: ${type}`);
  return found;
}

/**
 * The recovery of a deployment whose engine died during creates, without changing the program: every pending
 * `creating` operation becomes a resource with its Job Router id (from its inputs) and its inputs as outputs (they
 * hold the serialized provider, which `read` needs). A `pulumi refresh` afterwards reads each: one the service has
 * is kept with its live outputs, one it never got is dropped (read answers an empty id), and the next `pulumi up`
 * creates only what is still missing. Other pending operations (updates, deletes) are left for the engine.
 */
export function adoptPendingCreates(deployment: Deployment): { deployment: Deployment; adopted: string[] } {
  const pending = deployment.pending_operations ?? [];
  const adopted: string[] = [];
  const adoptedOps = new Set<PendingOperation>();
  const resources = [...(deployment.resources ?? [])];
  for (const op of pending) {
    if (op.type !== "creating") continue;
    const r = op.resource;
    if (!r.type.startsWith(TYPE_PREFIX)) continue;
    const collection = collectionOfType(r.type);
    const fromInputs = r.inputs?.[ID_KEYS[collection]];
    const id = typeof r.id === "string" && r.id !== "" ? r.id : typeof fromInputs === "string" ? fromInputs : "";
    if (id === "") continue;
    const outputs = r.outputs && Object.keys(r.outputs).length > 0 ? r.outputs : (r.inputs ?? {});
    // Appended: a pending create's dependencies were created before it, so they come earlier in the list.
    resources.push({ ...r, id, outputs });
    adopted.push(`${collection}/${id}`);
    adoptedOps.add(op);
  }
  return {
    deployment: {
      ...deployment,
      resources,
      pending_operations: pending.filter((op) => !adoptedOps.has(op)),
    },
    adopted,
  };
}
