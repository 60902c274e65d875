// Each resource breaks one guardrail (see policy/test/e2e expectations):
//   dp-ring-long  offer-expiry-bounds          (mandatory) offers ring for an hour
//   q-no-escape   queue-has-exception-policy   (mandatory) no exception policy
//   cp-dangling   references-resolve           (mandatory, stack) fallback queue that exists nowhere
//   Sales_Queue   id-naming-pattern            (advisory)  id not in kebab-case
//   dp-raw-plain  rule-credentials-secret      (mandatory) webhook client secret in plain text
// dp-raw-secret is the same as dp-raw-plain with the secret passed as a secret: it passes.
//
// The package's DistributionPolicy marks any field holding a credential secret by itself, so the two
// raw resources bypass it: a bare dynamic resource with the same type token and a provider that is never
// called during preview. That is what a program without the package's classes would send.
"use strict";
const pulumi = require("@pulumi/pulumi");
const { ClassificationPolicy, DistributionPolicy, ExceptionPolicy, RouterQueue } = require("pulumi-jobrouter");

class RawDistributionPolicy extends pulumi.dynamic.Resource {
  constructor(name, props) {
    const provider = {
      async create() {
        throw new Error("this program is only previewed");
      },
    };
    super(provider, name, props, {}, "jobrouter", "DistributionPolicy");
  }
}

const ringLong = new DistributionPolicy("dp-ring-long", {
  offerExpiresAfterSeconds: 3600,
  mode: { kind: "roundRobin", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
});

const giveUp = new ExceptionPolicy("ep-give-up", {
  exceptionRules: [
    {
      id: "give-up",
      trigger: { kind: "waitTime", thresholdSeconds: 600 },
      actions: [{ kind: "cancel", id: "cancel" }],
    },
  ],
});

new RouterQueue("Sales_Queue", {
  distributionPolicyId: ringLong.distributionPolicyId,
  exceptionPolicyId: giveUp.exceptionPolicyId,
});

new RouterQueue("q-no-escape", { distributionPolicyId: ringLong.distributionPolicyId });

new ClassificationPolicy("cp-dangling", { fallbackQueueId: "q-missing" });

for (const [name, clientSecret] of [
  ["dp-raw-plain", "plain-client-secret"],
  ["dp-raw-secret", pulumi.secret("secret-client-secret")],
]) {
  new RawDistributionPolicy(name, {
    distributionPolicyId: name,
    offerExpiresAfterSeconds: 60,
    mode: {
      kind: "bestWorker",
      scoringRule: {
        kind: "webhook",
        webhookUri: "https://scoring.example.com/score",
        clientCredential: { clientId: "scoring-app", clientSecret },
      },
    },
  });
}
