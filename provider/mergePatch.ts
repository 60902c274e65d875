// Building the JSON merge patch (RFC 7396) that takes an object from one canonical spec to another.
//
// The service merges PATCH bodies into what it stores: a member that is simply left out is kept. So an
// update must say `null` for every field, label or map entry that the program no longer has, or the
// removed label lingers on the service forever. Nested objects (a distribution mode, a rule) merge
// member by member, so a rule that changes kind also gets `null` for the old kind's fields. Arrays are
// replaced wholesale by the service and are sent whole.

import { isObject, type JsonObject } from "./json";

/**
 * The patch that turns `current` into `desired`: every member of `desired` (recursing into objects both
 * sides have), and `null` for every member only `current` has.
 */
export function mergePatchFor(current: JsonObject | undefined, desired: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined) continue;
    const before = current?.[key];
    patch[key] = isObject(value) && isObject(before) ? mergePatchFor(before, value) : value;
  }
  for (const key of Object.keys(current ?? {})) {
    if (!(key in patch) && current?.[key] !== undefined && current[key] !== null) patch[key] = null;
  }
  return patch;
}

/** What `mergePatchFor` produces, applied the way the service applies it (used to test the round trip). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
