// Turns resource arguments into the dynamic resource's input bag.

import * as pulumi from "@pulumi/pulumi";
import type { AdminCollection } from "../client/models";
import { containsCredential } from "../credentials";
import { CONNECTION_KEY, ETAG_KEY, KINDS } from "../kinds";

type InputBag = Record<string, pulumi.Input<unknown> | undefined>;

/**
 * The input bag: every argument (unknown names included, so `check` can report typos), the Job Router id
 * defaulting to the resource name, and `etag` so the resource gets that output.
 *
 * Secrets: the connection is always secret. A field that can hold a webhook client secret or a function
 * key is made secret whenever it holds one, even if the program passed it in plain text; the engine then
 * encrypts the whole field in state, in inputs and outputs alike (the dynamic-provider host re-marks an
 * output secret when the input of the same name was).
 */
export function inputBag(collection: AdminCollection, name: string, args: object): pulumi.Inputs {
  const kind = KINDS[collection];
  const bag: InputBag = {};
  for (const [key, value] of Object.entries(args)) bag[key] = value;
  for (const field of kind.fields) if (!(field in bag)) bag[field] = undefined;
  for (const field of kind.credentialFields) {
    const value = bag[field];
    if (value !== undefined) {
      bag[field] = pulumi.output(value).apply((v) => (containsCredential(v) ? pulumi.secret(v) : v));
    }
  }
  bag[kind.idKey] = bag[kind.idKey] ?? name;
  bag[CONNECTION_KEY] = bag[CONNECTION_KEY] === undefined ? undefined : pulumi.secret(bag[CONNECTION_KEY]);
  bag[ETAG_KEY] = undefined;
  return bag;
}

/** Resource options with the connection always encrypted in outputs too. */
export function secretOptions(opts: pulumi.CustomResourceOptions | undefined): pulumi.CustomResourceOptions {
  const extra = opts?.additionalSecretOutputs ?? [];
  return { ...opts, additionalSecretOutputs: [...new Set([...extra, CONNECTION_KEY])] };
}
