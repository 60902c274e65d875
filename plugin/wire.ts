// The values a provider plugin receives and returns over gRPC, as @pulumi/pulumi 3.259's provider server
// hands them over: it tells the engine it accepts secrets, so every secret arrives as a signature-wrapped
// object (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value}`) that the engine
// in provider/ must never see; and the server returns what we give it as it is, so what must stay secret is
// wrapped again on the way out. Unknowns (preview) arrive as the same sentinel string the dynamic-provider
// host uses (provider/json.ts), so they need nothing here.

import { isObject, type JsonObject } from "../provider/json";

/** The property-value signature key and the value that marks a secret. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isWrappedSecret(value: unknown): value is { value: unknown } {
  return isObject(value) && value[SIG_KEY] === SECRET_SIG;
}

export function wrapSecret(value: unknown): JsonObject {
  return isWrappedSecret(value) ? value : { [SIG_KEY]: SECRET_SIG, value };
}

/** `value` with every secret wrapper removed, at any depth. */
export function unwrap(value: unknown): unknown {
  if (isWrappedSecret(value)) return unwrap(value.value);
  if (Array.isArray(value)) return value.map(unwrap);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = unwrap(v);
    return out;
  }
  return value;
}

/** True when `value` is or holds a secret. */
export function holdsSecret(value: unknown): boolean {
  if (isWrappedSecret(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (isObject(value)) return Object.values(value).some(holdsSecret);
  return false;
}

/** A property bag without secret wrappers, and the names of its top-level properties that held a secret. */
export function unwrapBag(bag: unknown): { plain: JsonObject; secretKeys: Set<string> } {
  const plain: JsonObject = {};
  const secretKeys = new Set<string>();
  if (!isObject(bag)) return { plain, secretKeys };
  for (const [k, v] of Object.entries(bag)) {
    if (holdsSecret(v)) secretKeys.add(k);
    plain[k] = unwrap(v);
  }
  return { plain, secretKeys };
}

/** `bag` with the named top-level properties wrapped as secrets (absent and null ones are left alone). */
export function wrapKeys(bag: JsonObject, keys: Iterable<string>): JsonObject {
  const out: JsonObject = { ...bag };
  for (const k of keys) {
    const v = out[k];
    if (v !== undefined && v !== null) out[k] = wrapSecret(v);
  }
  return out;
}
