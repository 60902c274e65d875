// The root Pulumi program (Pulumi.yaml at the repository root runs dist/program/index.js): the quickstart contact
// center against an existing Job Router endpoint — the local emulator when started by `npm start`. It passes the
// policy pack in policy/ (every queue has an exception policy with a waitTime rule, offer expiry in bounds), which the
// GitOps workflow (examples/github-actions) enforces on every pull request.
//
// Connection: the secret stack config `jobrouter:connectionString`, else the environment variable
// JOBROUTER_CONNECTION_STRING (what `jobrouter-emulator` prints).

import * as pulumi from "@pulumi/pulumi";
// The package by name, as in a user's project: Node resolves it to node_modules/pulumi-jobrouter (installed there by
// `npm run build`), so Pulumi stores the dynamic providers as require("pulumi-jobrouter/..."). TypeScript takes the
// types from the sources (tsconfig.json "paths"), so the build needs nothing installed first.
import { ContactCenter } from "pulumi-jobrouter";
// The routing objects as plain data (the simulator reads the same file to simulate this program).
import { quickstartRouting } from "./routing";

const config = new pulumi.Config("jobrouter");
const fromEnv = process.env.JOBROUTER_CONNECTION_STRING;
const connectionString = config.getSecret("connectionString") ?? (fromEnv ? pulumi.secret(fromEnv) : undefined);
if (connectionString === undefined) {
  throw new Error(
    "jobrouter:connectionString is not set: run `pulumi config set --secret jobrouter:connectionString " +
      '"endpoint=https://...;accesskey=..."` or export JOBROUTER_CONNECTION_STRING (npx jobrouter-emulator prints one)',
  );
}

const center = new ContactCenter("quickstart", {
  communicationServices: { existing: { connectionString } },
  ...quickstartRouting,
});

export const endpoint = center.endpoint;
export const ids = center.ids;
export const distributionPolicyId = center.distributionPolicies["longest-idle"]?.id;
export const queueId = center.queues["main"]?.id;
export const escalationQueueId = center.queues["escalations"]?.id;
export const classificationPolicyId = center.classificationPolicies["triage"]?.id;
export const exceptionPolicyId = center.exceptionPolicies["escalate-long-waits"]?.id;
export const abandonPolicyId = center.exceptionPolicies["abandon-stale"]?.id;
