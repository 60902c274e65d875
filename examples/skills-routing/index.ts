// Skills-based routing with a ContactCenter on an existing Job Router endpoint.
//
// A job is submitted with labels (tier, language, product) and the classification policy `skills`:
//   - the prioritization rule gives premium jobs priority 10;
//   - a conditional queue selector sends premium jobs to the premium queue (others fall back to `support`);
//   - a pass-through worker selector requires a worker whose `language` label equals the job's `language`;
//   - a conditional worker selector requires `billingCertified` workers for billing jobs.
// Both queues distribute with bestWorker: the expression scores each eligible worker by its skill level.

import * as pulumi from "@pulumi/pulumi";
import { ContactCenter } from "pulumi-jobrouter";

const config = new pulumi.Config("jobrouter");
const connectionString =
  config.getSecret("connectionString") ?? pulumi.secret(process.env.JOBROUTER_CONNECTION_STRING ?? "");

const center = new ContactCenter("skills", {
  communicationServices: { existing: { connectionString } },
  distributionPolicies: {
    "best-skill": {
      name: "Best skill",
      offerExpiresAfterSeconds: 45,
      mode: {
        kind: "bestWorker",
        minConcurrentOffers: 1,
        maxConcurrentOffers: 2,
        // Higher is better; a worker without a skillLevel label scores 0.
        scoringRule: { kind: "expression", language: "powerFx", expression: "Coalesce(worker.skillLevel, 0)" },
        scoringRuleOptions: { scoringParameters: ["jobLabels", "workerSelectors"], descendingOrder: true },
      },
    },
  },
  queues: {
    support: {
      name: "Support",
      distributionPolicy: "best-skill",
      exceptionPolicy: "give-up",
      labels: { tier: "standard" },
    },
    premium: {
      name: "Premium support",
      distributionPolicy: "best-skill",
      exceptionPolicy: "give-up",
      labels: { tier: "premium" },
    },
  },
  exceptionPolicies: {
    // Strict skill requirements can leave a job with no eligible worker: cancel it after 15 minutes.
    "give-up": {
      name: "Give up",
      exceptionRules: [
        {
          id: "waited-15-minutes",
          trigger: { kind: "waitTime", thresholdSeconds: 900 },
          actions: [{ kind: "cancel", note: "No skilled agent within 15 minutes", dispositionCode: "NoSkilledAgent" }],
        },
      ],
    },
  },
  classificationPolicies: {
    skills: {
      name: "Skills",
      fallbackQueue: "support",
      prioritizationRule: { kind: "expression", language: "powerFx", expression: 'If(job.tier = "premium", 10, 1)' },
      queueSelectorAttachments: [
        {
          kind: "conditional",
          condition: { kind: "expression", language: "powerFx", expression: 'job.tier = "premium"' },
          queueSelectors: [{ key: "tier", labelOperator: "equal", value: "premium" }],
        },
      ],
      workerSelectorAttachments: [
        { kind: "passThrough", key: "language", labelOperator: "equal" },
        {
          kind: "conditional",
          condition: { kind: "expression", language: "powerFx", expression: 'job.product = "billing"' },
          workerSelectors: [{ key: "billingCertified", labelOperator: "equal", value: true }],
        },
      ],
    },
  },
});

export const ids = center.ids;
export const classificationPolicyId = center.classificationPolicies["skills"]?.id;
