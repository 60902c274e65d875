// Credentials inside rules never reach the generated files: each becomes a `config.requireSecret(name)` read, and the
// exporter prints the `pulumi config set --secret` commands (names only) for the user to run.

import { CREDENTIAL_KEYS } from "../provider/credentials";
import { isObject } from "../provider/json";
import type { LiveObject, SpecPath } from "./model";

/** One credential found in an object: where it is and the config name the program reads it from. */
export interface SecretSlot {
  readonly object: LiveObject;
  readonly path: SpecPath;
  /** The stack config name (in the project's namespace). */
  readonly configName: string;
  /** What it is, for the printed instructions, e.g. `functionKey of classification policy "triage"`. */
  readonly description: string;
}

/** URI members that may carry a key in their query (Azure Functions `?code=`, SAS `sig=`). */
const URI_KEYS = ["functionUri", "webhookUri", "authorizationServerUri"];
const KEY_IN_QUERY = /[?&](?:code|sig|key)=[^&#]/i;

const NOUN: Readonly<Record<LiveObject["collection"], string>> = {
  distributionPolicies: "distribution policy",
  queues: "queue",
  classificationPolicies: "classification policy",
  exceptionPolicies: "exception policy",
};

/** Paths of every credential in a spec, in document order. */
export function credentialPaths(spec: unknown): Array<{ path: SpecPath; field: string }> {
  const out: Array<{ path: SpecPath; field: string }> = [];
  const walk = (value: unknown, path: SpecPath): void => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        const isCredential = CREDENTIAL_KEYS.includes(k) && typeof v === "string" && v !== "";
        const isKeyedUri = URI_KEYS.includes(k) && typeof v === "string" && KEY_IN_QUERY.test(v);
        if (isCredential || isKeyedUri) out.push({ path: [...path, k], field: k });
        else walk(v, [...path, k]);
      }
    }
  };
  walk(spec, []);
  return out;
}

/** `sales-queue_2` → `salesQueue2`: a config name part (letters and digits only). */
export function camelWords(text: string): string {
  const words = text.split(/[^A-Za-z0-9]+/).filter((w) => w !== "");
  return words
    .map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1)))
    .join("");
}

const SUFFIX: Readonly<Record<LiveObject["collection"], string>> = {
  distributionPolicies: "Distribution",
  queues: "Queue",
  classificationPolicies: "Classification",
  exceptionPolicies: "Exceptions",
};

/**
 * Config names for every credential of the objects, in the order given (the program's order), so the names are
 * the same on every export of the same namespace. `camelCase(id) + Kind + Field`, numbered when that repeats.
 */
export function assignSecrets(objects: readonly LiveObject[]): SecretSlot[] {
  const used = new Set<string>();
  const out: SecretSlot[] = [];
  for (const o of objects) {
    for (const { path, field } of credentialPaths(o.spec)) {
      const stem = `${camelWords(o.id) || "object"}${SUFFIX[o.collection]}${field.charAt(0).toUpperCase()}${field.slice(1)}`;
      let name = /^[A-Za-z]/.test(stem) ? stem : `x${stem}`;
      for (let n = 2; used.has(name); n += 1) name = `${stem}${n}`;
      used.add(name);
      out.push({ object: o, path, configName: name, description: `${field} of ${NOUN[o.collection]} "${o.id}"` });
    }
  }
  return out;
}
