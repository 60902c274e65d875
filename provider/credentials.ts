// Credential fields inside rules: webhook `clientCredential.clientSecret`, function `credential.functionKey`
// and `credential.appKey`.
//
// Whether the service returns them on GET is unknown (facts §6.3), so the provider never relies on it:
// after a create, update or read, a credential the response lacks is carried over from what the provider
// already knows (the program's value, or the previous state). A credential the service returns that
// differs from the known one is not copied into state (it would land there in plaintext if the field was
// not secret before): it is replaced by a marker, which still shows up as drift.

import { isObject, stableJson, type JsonObject } from "./json";

export const CREDENTIAL_KEYS: readonly string[] = ["clientSecret", "functionKey", "appKey"];

/** Stands in for a credential that was changed outside Pulumi. */
export const CHANGED_OUTSIDE_PULUMI = "(credential changed outside Pulumi)";

/** True when `value` holds a credential anywhere (a non-empty string, or a value not yet known). */
export function containsCredential(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsCredential);
  if (!isObject(value)) return false;
  for (const [k, v] of Object.entries(value)) {
    if (CREDENTIAL_KEYS.includes(k) && v !== undefined && v !== null && v !== "") return true;
    if (containsCredential(v)) return true;
  }
  return false;
}

/** A deep copy without credentials: how two versions of one rule are matched up. */
export function withoutCredentials(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCredentials);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!CREDENTIAL_KEYS.includes(k)) out[k] = withoutCredentials(v);
  return out;
}

/** The members of a rule that hold credentials. */
export const HOLDER_KEYS: readonly string[] = ["credential", "clientCredential"];

/**
 * `live` with its credentials reconciled against `known` (same shape, canonical form): missing ones are
 * taken from `known`, different ones become CHANGED_OUTSIDE_PULUMI. Array elements are paired by their
 * content without credentials.
 */
export function reconcileCredentials(live: unknown, known: unknown, inHolder = false): unknown {
  if (Array.isArray(live)) {
    const pool = Array.isArray(known)
      ? known.map((k) => ({ k, key: stableJson(withoutCredentials(k)), used: false }))
      : [];
    return live.map((item) => {
      const key = stableJson(withoutCredentials(item));
      const match = pool.find((p) => !p.used && p.key === key);
      if (match) match.used = true;
      return reconcileCredentials(item, match?.k);
    });
  }
  if (!isObject(live)) return live;
  const k = isObject(known) ? known : undefined;
  // A rule that changed kind is a different rule: nothing of the old one carries over.
  const same = k !== undefined && live["kind"] === k["kind"] ? k : undefined;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(live)) {
    if (inHolder && CREDENTIAL_KEYS.includes(key)) {
      out[key] = value === same?.[key] ? value : CHANGED_OUTSIDE_PULUMI;
    } else {
      out[key] = reconcileCredentials(value, same?.[key], HOLDER_KEYS.includes(key));
    }
  }
  if (same !== undefined) {
    if (inHolder) {
      // The holder came back without the secret: the service does not echo secrets. Keep ours.
      for (const key of CREDENTIAL_KEYS)
        if (out[key] === undefined && typeof same[key] === "string") out[key] = same[key];
    }
    for (const key of HOLDER_KEYS) {
      const before = same[key];
      // A holder that had nothing but secrets may come back absent altogether.
      if (
        out[key] === undefined &&
        isObject(before) &&
        Object.keys(withoutCredentials(before) as JsonObject).length === 0
      ) {
        out[key] = before;
      }
    }
  }
  return out;
}
