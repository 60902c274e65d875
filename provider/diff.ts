// `diff`: decides between replace, update and no change; the property-level display is the engine's.
//
// The dynamic-provider protocol has no detailed diff. When `changes` is left undefined the engine diffs
// the old and new *inputs* itself and shows exactly the properties that differ; those inputs are in
// canonical form (check returns them so, and read reconstructs them so after a refresh), which is what
// makes that display exact. This function's job is therefore:
//  - the Job Router id changed (or is not yet known) → replace;
//  - the canonical specs and the connection are equal → `changes: false`, which suppresses anything the
//    engine would otherwise see (server-filled fields never reach the specs; a provider version bump
//    changes `__provider`; `adoptExisting` only matters at create); a changed `leaveOnDelete` is a change (an
//    update that writes nothing to the service, so that the state, which a later delete reads, holds it);
//  - otherwise leave `changes` undefined and let the engine render the difference.

import type { AdminCollection } from "./client/models";
import { canonicalSpec } from "./canonical";
import { serviceBody } from "./check";
import { containsUnknown, deepEqual, isUnknown, type JsonObject } from "./json";
import { movedFrom } from "./connectionCheck";
import { CONNECTION_KEY, KINDS, LEAVE_KEY } from "./kinds";

export interface DiffOutcome {
  changes?: boolean;
  replaces?: string[];
  deleteBeforeReplace?: boolean;
}

/** `olds` are the old outputs (canonical spec, id, connection, etag); `news` the checked inputs. */
export function diffInputs(collection: AdminCollection, id: string, olds: JsonObject, news: JsonObject): DiffOutcome {
  const { idKey } = KINDS[collection];
  const oldId = typeof olds[idKey] === "string" ? olds[idKey] : id;
  const newId = news[idKey];
  if (isUnknown(newId) || (newId !== undefined && newId !== oldId)) return { replaces: [idKey] };

  const oldSpec = canonicalSpec(collection, serviceBody(collection, olds), oldId);
  const newSpec = canonicalSpec(collection, serviceBody(collection, news), oldId);
  if (containsUnknown(newSpec) || containsUnknown(news[CONNECTION_KEY]) || isUnknown(news[LEAVE_KEY])) return {};
  // Another endpoint or key, from any route: update reads the object through it first (connectionCheck.ts).
  if (movedFrom(olds, news) !== undefined) return {};
  if (
    deepEqual(oldSpec, newSpec) &&
    deepEqual(olds[CONNECTION_KEY], news[CONNECTION_KEY]) &&
    (olds[LEAVE_KEY] ?? undefined) === (news[LEAVE_KEY] ?? undefined)
  )
    return { changes: false };
  return {};
}

/** The names of the top-level properties whose canonical values differ (for messages and tests). */
export function changedProperties(collection: AdminCollection, olds: JsonObject, news: JsonObject): string[] {
  const { idKey } = KINDS[collection];
  const id = typeof olds[idKey] === "string" ? olds[idKey] : undefined;
  const a = canonicalSpec(collection, serviceBody(collection, olds), id);
  const b = canonicalSpec(collection, serviceBody(collection, news), id);
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const out = [...keys].filter((k) => !deepEqual(a[k], b[k]));
  if (!deepEqual(olds[CONNECTION_KEY], news[CONNECTION_KEY])) out.push(CONNECTION_KEY);
  if ((olds[LEAVE_KEY] ?? undefined) !== (news[LEAVE_KEY] ?? undefined)) out.push(LEAVE_KEY);
  if (olds[idKey] !== news[idKey]) out.push(idKey);
  return out.sort();
}
