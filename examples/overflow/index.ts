// Overflow handling with a ContactCenter on an existing Job Router endpoint.
//
// Jobs wait in `sales`. Its exception policy has three rules:
//   - more than 10 jobs queued: the newcomer is reclassified with `overflow-triage` (labelled overflowed=true),
//     which routes it to the `overflow` queue;
//   - waited 3 minutes: manually reclassified to `callbacks` at priority 5, for a callback-capable worker;
//   - waited 30 minutes: cancelled with disposition code "Abandoned".
// `overflow` and `callbacks` have no exception policy, so the references form no cycle.

import * as pulumi from "@pulumi/pulumi";
import { ContactCenter } from "pulumi-jobrouter";

const config = new pulumi.Config("jobrouter");
const connectionString =
  config.getSecret("connectionString") ?? pulumi.secret(process.env.JOBROUTER_CONNECTION_STRING ?? "");

const center = new ContactCenter("overflow", {
  communicationServices: { existing: { connectionString } },
  distributionPolicies: {
    "round-robin": { name: "Round robin", offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } },
  },
  queues: {
    sales: { name: "Sales", distributionPolicy: "round-robin", exceptionPolicy: "sales-overflow" },
    overflow: { name: "Sales overflow", distributionPolicy: "round-robin", labels: { purpose: "overflow" } },
    callbacks: { name: "Callbacks", distributionPolicy: "round-robin", labels: { purpose: "callback" } },
  },
  classificationPolicies: {
    "overflow-triage": {
      name: "Overflow triage",
      fallbackQueue: "overflow",
      prioritizationRule: { kind: "static", value: 2 },
    },
  },
  exceptionPolicies: {
    "sales-overflow": {
      name: "Sales overflow",
      exceptionRules: [
        {
          id: "queue-too-long",
          trigger: { kind: "queueLength", threshold: 10 },
          actions: [
            { kind: "reclassify", classificationPolicy: "overflow-triage", labelsToUpsert: { overflowed: true } },
          ],
        },
        {
          id: "waited-3-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 180 },
          actions: [
            {
              kind: "manualReclassify",
              queue: "callbacks",
              priority: 5,
              workerSelectors: [{ key: "callbackAgent", labelOperator: "equal", value: true }],
            },
          ],
        },
        {
          id: "waited-30-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 1800 },
          actions: [{ kind: "cancel", note: "No agent within 30 minutes", dispositionCode: "Abandoned" }],
        },
      ],
    },
  },
});

export const ids = center.ids;
export const exceptionPolicyId = center.exceptionPolicies["sales-overflow"]?.id;
