// Turns resource arguments into the dynamic resource's input bag.

import * as pulumi from "@pulumi/pulumi";
import type { AdminCollection } from "../client/models";
import { CREDENTIAL_KEYS, HOLDER_KEYS, containsCredential } from "../credentials";
import { isObject } from "../json";
import {
  ADOPTED_KEY,
  CONNECTION_KEY,
  ETAG_KEY,
  KINDS,
  LEAVE_KEY,
  LEGACY_ORIGIN_KEY,
  LEGACY_OWNER_KEY,
  ORIGIN_KEY,
  OWNER_KEY,
} from "../kinds";
import { ownerFor } from "../ownership";
import { warnIfConnectionConfigIsPlaintext } from "./configSecret";

type InputBag = Record<string, pulumi.Input<unknown> | undefined>;

/**
 * The input bag: every argument (unknown names included, so `check` can report typos), the Job Router id
 * defaulting to the resource name, `etag` and `adopted` so the resource gets those outputs, and `__owner`: the project, stack,
 * type and name of this resource, which the provider cannot learn otherwise (it never sees the URN). The
 * create journal and adoption hand-overs are bound to it (ownership.ts); it is never sent to the service.
 *
 * Secrets: the connection is always secret. A field that can hold a webhook client secret or a function
 * key is made secret whenever it holds one, even if the program passed it in plain text; the engine then
 * encrypts the whole field in state, in inputs and outputs alike (the dynamic-provider host re-marks an
 * output secret when the input of the same name was).
 */
export function inputBag(collection: AdminCollection, name: string, args: object): pulumi.Inputs {
  warnIfConnectionConfigIsPlaintext();
  const kind = KINDS[collection];
  const bag: InputBag = {};
  for (const [key, value] of Object.entries(args)) bag[key] = value;
  for (const field of kind.fields) if (!(field in bag)) bag[field] = undefined;
  for (const field of kind.credentialFields) {
    const value = bag[field];
    if (value === undefined) continue;
    const verdict = scan(value);
    if (verdict === "credential") bag[field] = pulumi.secret(value);
    // Only when an Output could hide a credential is the value resolved first. That makes the whole field
    // unknown in a preview where any part of it is, so it is the exception, not the rule.
    else if (verdict === "unsure")
      bag[field] = pulumi.output(value).apply((v) => (containsCredential(v) ? pulumi.secret(v) : v));
  }
  bag[kind.idKey] = bag[kind.idKey] ?? name;
  bag[CONNECTION_KEY] = bag[CONNECTION_KEY] === undefined ? undefined : pulumi.secret(bag[CONNECTION_KEY]);
  bag[ETAG_KEY] = undefined;
  // An output only (whether the resource adopted its object); a value from the program is not taken.
  bag[ADOPTED_KEY] = undefined;
  if (!(LEAVE_KEY in bag)) bag[LEAVE_KEY] = undefined;
  // Under `__` names, which the engine never displays (kinds.ts). A program cannot pass someone else's owner.
  delete bag[LEGACY_OWNER_KEY];
  bag[OWNER_KEY] = ownerFor(pulumi.getProject(), pulumi.getStack(), kind.typeName, name);
  if (bag[LEGACY_ORIGIN_KEY] !== undefined) {
    bag[ORIGIN_KEY] = bag[LEGACY_ORIGIN_KEY];
    delete bag[LEGACY_ORIGIN_KEY];
  }
  return bag;
}

/** Resource options with the connection always encrypted in outputs too. */
export function secretOptions(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  const extra = opts?.additionalSecretOutputs ?? [];
  return { ...opts, additionalSecretOutputs: [...new Set([...extra, CONNECTION_KEY])] };
}

/** Members whose value is a primitive in the model: an Output there cannot hide a credential. */
const LEAF_KEYS = new Set([
  "kind",
  "key",
  "labelOperator",
  "value",
  "weight",
  "expiresAfterSeconds",
  "expedite",
  "expression",
  "language",
  "functionUri",
  "webhookUri",
  "authorizationServerUri",
  "clientId",
  "batchSize",
  "isBatchScoringEnabled",
  "descendingOrder",
  "minConcurrentOffers",
  "maxConcurrentOffers",
  "bypassSelectors",
]);

type Verdict = "none" | "unsure" | "credential";

function worst(a: Verdict, b: Verdict): Verdict {
  if (a === "credential" || b === "credential") return "credential";
  return a === "unsure" || b === "unsure" ? "unsure" : "none";
}

/**
 * Looks for credentials in an argument without resolving it, so that values still unknown in a preview
 * (a queue id in a selector) stay unknown only where they are, and `check` validates everything around them.
 */
function scan(value: unknown, key?: string): Verdict {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) {
    if (key !== undefined && (CREDENTIAL_KEYS.includes(key) || HOLDER_KEYS.includes(key))) return "credential";
    return key !== undefined && LEAF_KEYS.has(key) ? "none" : "unsure";
  }
  if (Array.isArray(value)) return value.reduce<Verdict>((acc, v) => worst(acc, scan(v)), "none");
  if (!isObject(value)) return "none";
  let verdict: Verdict = "none";
  for (const [k, v] of Object.entries(value)) {
    if (CREDENTIAL_KEYS.includes(k) && v !== undefined && v !== null && v !== "") return "credential";
    verdict = worst(verdict, scan(v, k));
  }
  return verdict;
}
