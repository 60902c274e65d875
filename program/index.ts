// The root Pulumi program (Pulumi.yaml at the repository root runs dist/program/index.js): the quickstart contact
// center against an existing Job Router endpoint — the local emulator when started by `npm start`. It passes the
// policy pack in policy/ (every queue has an exception policy with a waitTime rule, offer expiry in bounds), which the
// GitOps workflow (examples/github-actions) enforces on every pull request.
//
// Connection: the secret stack config `jobrouter:connectionString`, else the environment variable
// JOBROUTER_CONNECTION_STRING (what `jobrouter-emulator` prints).

import { existsSync } from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as JobRouter from "../index";
import type * as Routing from "./routing";

/**
 * The installed package's directory, found the way Node searches node_modules. A plain require("pulumi-jobrouter")
 * would not do here: this file lies inside the package's own source tree, so Node's package self-reference resolves
 * that name to the repository's dist/, outside node_modules, and Pulumi would serialize the dynamic providers by
 * value. Loaded from node_modules, they are stored as require("pulumi-jobrouter/...") (see scripts/prepare.js).
 */
function installedPackage(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", "pulumi-jobrouter");
    if (existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return "pulumi-jobrouter"; // not installed: let require name the problem
  }
}

// The type comes from the sources, so the root build type-checks even before the package is installed.
const jobrouter: typeof JobRouter = require(installedPackage());
// The routing objects, from the same installed build (tools copy this file alone into a project directory).
const { quickstartRouting }: typeof Routing = require(path.join(installedPackage(), "dist", "program", "routing"));

const config = new pulumi.Config("jobrouter");
const fromEnv = process.env.JOBROUTER_CONNECTION_STRING;
const connectionString = config.getSecret("connectionString") ?? (fromEnv ? pulumi.secret(fromEnv) : undefined);
if (connectionString === undefined) {
  throw new Error(
    "jobrouter:connectionString is not set: run `pulumi config set --secret jobrouter:connectionString " +
      '"endpoint=https://...;accesskey=..."` or export JOBROUTER_CONNECTION_STRING (npx jobrouter-emulator prints one)',
  );
}

const center = new jobrouter.ContactCenter("quickstart", {
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
