// A contact center the guardrails accept: bounded offers, every queue with an exception policy that has
// a waitTime trigger, a fallback queue, an https webhook whose client secret is a secret, and every
// reference pointing at an object of this stack (by output or by literal id).
"use strict";
const pulumi = require("@pulumi/pulumi");
const { ClassificationPolicy, DistributionPolicy, ExceptionPolicy, RouterQueue } = require("pulumi-jobrouter");

const config = new pulumi.Config();

const standard = new DistributionPolicy("dp-standard", {
  name: "Standard",
  offerExpiresAfterSeconds: 60,
  mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 2 },
});

const giveUp = new ExceptionPolicy("ep-give-up", {
  exceptionRules: [
    {
      id: "give-up",
      trigger: { kind: "waitTime", thresholdSeconds: 600 },
      actions: [{ kind: "cancel", id: "cancel", dispositionCode: "Timeout" }],
    },
  ],
});

const overflow = new RouterQueue("q-overflow", {
  name: "Overflow",
  distributionPolicyId: standard.distributionPolicyId,
  exceptionPolicyId: giveUp.exceptionPolicyId,
});

const escalate = new ExceptionPolicy(
  "ep-escalate",
  {
    exceptionRules: [
      {
        id: "waited",
        trigger: { kind: "waitTime", thresholdSeconds: 120 },
        actions: [{ kind: "manualReclassify", id: "to-overflow", queueId: "q-overflow", priority: 5 }],
      },
    ],
  },
  { dependsOn: [overflow] },
);

const sales = new RouterQueue(
  "q-sales",
  { name: "Sales", distributionPolicyId: "dp-standard", exceptionPolicyId: "ep-escalate" },
  { dependsOn: [standard, escalate] },
);

new ClassificationPolicy(
  "cp-inbound",
  {
    name: "Inbound",
    fallbackQueueId: "q-overflow",
    queueSelectorAttachments: [
      { kind: "static", queueSelector: { key: "Id", labelOperator: "equal", value: "q-sales" } },
    ],
    prioritizationRule: {
      kind: "webhook",
      webhookUri: "https://priority.example.com/score",
      authorizationServerUri: "https://login.example.com/oauth2/token",
      clientCredential: { clientId: "priority-app", clientSecret: config.requireSecret("priorityClientSecret") },
    },
  },
  { dependsOn: [sales, overflow] },
);
