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
  distributionPolicies: {
    // The seed's policy: offer each job to the worker idle the longest, one offer at a time, for a minute.
    "longest-idle": {
      name: "Longest idle",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
    },
  },
  queues: {
    // The seed's queue.
    main: {
      name: "Main",
      distributionPolicy: "longest-idle",
      exceptionPolicy: "escalate-long-waits",
      labels: { department: "general" },
    },
    escalations: {
      name: "Escalations",
      distributionPolicy: "longest-idle",
      exceptionPolicy: "abandon-stale",
      labels: { department: "escalations" },
    },
  },
  classificationPolicies: {
    // Jobs submitted with this policy go to the main queue; jobs labelled vip=true get priority 10.
    triage: {
      name: "Triage",
      fallbackQueue: "main",
      prioritizationRule: { kind: "expression", language: "powerFx", expression: "If(job.vip = true, 10, 1)" },
    },
  },
  exceptionPolicies: {
    // A job waiting five minutes in the main queue moves to escalations, at high priority.
    "escalate-long-waits": {
      name: "Escalate long waits",
      exceptionRules: [
        {
          id: "waited-5-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 300 },
          actions: [{ kind: "manualReclassify", queue: "escalations", priority: 10 }],
        },
      ],
    },
    // Escalated jobs still unanswered after 15 minutes are cancelled rather than left waiting forever.
    "abandon-stale": {
      name: "Abandon stale escalations",
      exceptionRules: [
        {
          id: "waited-15-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 900 },
          actions: [{ kind: "cancel", note: "No agent within 15 minutes of escalation", dispositionCode: "Abandoned" }],
        },
      ],
    },
  },
});

export const endpoint = center.endpoint;
export const ids = center.ids;
export const distributionPolicyId = center.distributionPolicies["longest-idle"]?.id;
export const queueId = center.queues["main"]?.id;
export const escalationQueueId = center.queues["escalations"]?.id;
export const classificationPolicyId = center.classificationPolicies["triage"]?.id;
export const exceptionPolicyId = center.exceptionPolicies["escalate-long-waits"]?.id;
export const abandonPolicyId = center.exceptionPolicies["abandon-stale"]?.id;
