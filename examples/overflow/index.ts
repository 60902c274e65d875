// Overflow handling with a ContactCenter on an existing Job Router endpoint.
//
// Jobs wait in `sales`. Its exception policy has three rules:
//   - more than 10 jobs queued: the newcomer is reclassified with `overflow-triage` (labelled overflowed=true),
//     which routes it to the `overflow` queue;
//   - waited 3 minutes: manually reclassified to `callbacks` at priority 5, for a callback-capable worker;
//   - waited 15 minutes: cancelled with disposition code "Abandoned".
// `overflow` and `callbacks` use `last-resort` (cancel after 15 minutes), not `sales-overflow`: the latter points at
// them, so using it there would make a reference cycle, which the component rejects.

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
    overflow: {
      name: "Sales overflow",
      distributionPolicy: "round-robin",
      exceptionPolicy: "last-resort",
      labels: { purpose: "overflow" },
    },
    callbacks: {
      name: "Callbacks",
      distributionPolicy: "round-robin",
      exceptionPolicy: "last-resort",
      labels: { purpose: "callback" },
    },
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
          id: "waited-15-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 900 },
          actions: [{ kind: "cancel", note: "No agent within 15 minutes", dispositionCode: "Abandoned" }],
        },
      ],
    },
    // The overflow and callback queues' own escape hatch: nothing waits longer than 15 minutes anywhere.
    "last-resort": {
      name: "Last resort",
      exceptionRules: [
        {
          id: "waited-15-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 900 },
          actions: [{ kind: "cancel", note: "No agent within 15 minutes", dispositionCode: "Abandoned" }],
        },
      ],
    },
  },
});

export const ids = center.ids;
export const exceptionPolicyId = center.exceptionPolicies["sales-overflow"]?.id;
