// A warning, said once per program run, when the stack config `jobrouter:connectionString` is not a secret:
// the access key then sits in plain text in the stack's config file (and in anything that copies it).
// Runs in the program (where the engine knows which config keys are secret), not in the provider.

import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_CONFIG_KEY } from "../connection";

let checked = false;

/** The SDK's own test for secret config keys: exported by the runtime, though not in its typings. */
function isConfigSecret(key: string): boolean | undefined {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
  return typeof runtime.isConfigSecret === "function" ? runtime.isConfigSecret(key) : undefined;
}

export const PLAINTEXT_CONNECTION_WARNING =
  `${CONNECTION_CONFIG_KEY} is set in plain text: the access key is stored readable in this stack's config file ` +
  `(Pulumi.<stack>.yaml). Make it a secret: pulumi config set --secret ${CONNECTION_CONFIG_KEY} "endpoint=https://...;accesskey=..." ` +
  `(the same value works: pulumi config set --secret ${CONNECTION_CONFIG_KEY} "$(pulumi config get ${CONNECTION_CONFIG_KEY})"), ` +
  "then rotate the key if the file was shared or committed.";

/** Warns (once) when the connection string config exists and is not a secret. */
export function warnIfConnectionConfigIsPlaintext(): void {
  if (checked) return;
  checked = true;
  const value = pulumi.runtime.allConfig()[CONNECTION_CONFIG_KEY];
  if (value === undefined || value === "") return;
  if (isConfigSecret(CONNECTION_CONFIG_KEY) === false) void pulumi.log.warn(PLAINTEXT_CONNECTION_WARNING);
}
