// The root program's routing objects as plain data, apart from the Pulumi program so that tools and tests (the
// simulator's before/after test) read exactly what `pulumi up` deploys.

import type { ContactCenterArgs } from "../components/contactCenter";

export const quickstartRouting = {
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
} satisfies Omit<ContactCenterArgs, "communicationServices">;
