// JSON merge patch (RFC 7396), which the service applies on every PATCH (facts §7):
// null removes a member (a field, a label, a map entry); objects merge member by member;
// anything else, arrays included, replaces the target wholesale.

import type { JsonObject, JsonValue } from "./http";
import { cloneJson } from "./store/clone";

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result: JsonObject = isJsonObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Deterministic serialization (sorted keys) for "did anything change" comparisons. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Copy `obj` with the keys in `order` first (in that order), then the rest, as the service orders fields. */
export function orderKeys(obj: JsonObject, order: readonly string[]): JsonObject {
  const out: JsonObject = {};
  for (const key of order) {
    const v = obj[key];
    if (v !== undefined) out[key] = v;
  }
  // Object.keys, not Object.entries: the engine orders every job and worker it writes, and the pairs cost more here.
  for (const key of Object.keys(obj)) if (!(key in out)) out[key] = obj[key] as JsonValue;
  return out;
}
