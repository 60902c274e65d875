import { beforeEach, describe, expect, it } from "vitest";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  bypassSelectorsAllowlist,
  classificationFallbackQueue,
  concurrentOffersBounds,
  credentialSecrecyProbe,
  exceptionPolicyWaitTime,
  idNamingPattern,
  offerExpiryBounds,
  policies,
  queueHasExceptionPolicy,
  resetCredentialObservations,
  ruleCredentialsSecret,
  ruleEndpointsHttps,
  UNKNOWN_STRING,
} from "../policies";
import {
  CLIENT_SECRET,
  compliantStack,
  fixture,
  FUNCTION_KEY,
  remediate,
  setPath,
  validateResource,
  withChange,
  type TestResource,
} from "./fixtures";

const resourcePolicies = policies.filter((p): p is ResourceValidationPolicy => !("validateStack" in p));

interface Found {
  policy: string;
  message: string;
}

/** Runs the whole pack's resource policies on one resource: remediation pass first, as the engine does. */
async function runPack(r: TestResource, config: Record<string, Record<string, unknown>> = {}): Promise<Found[]> {
  for (const p of resourcePolicies) await remediate(p, r, config[p.name] ?? {});
  const found: Found[] = [];
  for (const p of resourcePolicies) {
    for (const message of await validateResource(p, r, config[p.name] ?? {})) found.push({ policy: p.name, message });
  }
  return found;
}

beforeEach(() => resetCredentialObservations());

describe("the compliant fixture stack", () => {
  it("passes every resource policy", async () => {
    for (const r of compliantStack()) {
      expect(await runPack(r), r.name).toEqual([]);
    }
  });
});

interface Case {
  title: string;
  policy: ResourceValidationPolicy;
  resource: string;
  path: string;
  value: unknown;
  message: RegExp;
}

const cases: Case[] = [
  {
    title: "offer that rings for an hour",
    policy: offerExpiryBounds,
    resource: "dp-standard",
    path: "offerExpiresAfterSeconds",
    value: 3600,
    message:
      /distribution policy "dp-standard" offerExpiresAfterSeconds: is 3600 s but must lie in \[10, 120\] seconds\. Fix: set offerExpiresAfterSeconds/,
  },
  {
    title: "offer expiry left to the service",
    policy: offerExpiryBounds,
    resource: "dp-standard",
    path: "offerExpiresAfterSeconds",
    value: undefined,
    message: /offerExpiresAfterSeconds: must be set and lie in \[10, 120\] seconds\. Fix:/,
  },
  {
    title: "offer expiry given as text",
    policy: offerExpiryBounds,
    resource: "dp-standard",
    path: "offerExpiresAfterSeconds",
    value: "60",
    message: /offerExpiresAfterSeconds: must be a number of seconds, got "60"/,
  },
  {
    title: "too many concurrent offers",
    policy: concurrentOffersBounds,
    resource: "dp-standard",
    path: "mode.maxConcurrentOffers",
    value: 50,
    message:
      /mode\.maxConcurrentOffers: is 50 but must be at most 10\. Fix: lower mode\.maxConcurrentOffers to 10 or less/,
  },
  {
    title: "min above max",
    policy: concurrentOffersBounds,
    resource: "dp-standard",
    path: "mode.minConcurrentOffers",
    value: 5,
    message: /mode\.minConcurrentOffers: is 5 but must not exceed mode\.maxConcurrentOffers \(3\)/,
  },
  {
    title: "zero concurrent offers",
    policy: concurrentOffersBounds,
    resource: "dp-standard",
    path: "mode.minConcurrentOffers",
    value: 0,
    message: /mode\.minConcurrentOffers: must be a whole number >= 1, got 0/,
  },
  {
    title: "bypassSelectors on a policy not allowed to",
    policy: bypassSelectorsAllowlist,
    resource: "dp-standard",
    path: "mode.bypassSelectors",
    value: true,
    message: /mode\.bypassSelectors: is true, .* but "dp-standard" is not in allowedPolicyIds\. Fix:/,
  },
  {
    title: "queue without an exception policy",
    policy: queueHasExceptionPolicy,
    resource: "q-sales",
    path: "exceptionPolicyId",
    value: undefined,
    message: /queue "q-sales" exceptionPolicyId: must name an exception policy\. Fix: set exceptionPolicyId/,
  },
  {
    title: "exception policy with only a queue-length trigger",
    policy: exceptionPolicyWaitTime,
    resource: "ep-overflow",
    path: "exceptionRules.0.trigger",
    value: { kind: "queueLength", threshold: 10 },
    message:
      /exception policy "ep-overflow" exceptionRules: must include a rule whose trigger is \{ kind: "waitTime" \}/,
  },
  {
    title: "wait-time threshold of two hours",
    policy: exceptionPolicyWaitTime,
    resource: "ep-escalate",
    path: "exceptionRules.0.trigger.thresholdSeconds",
    value: 7200,
    message: /exceptionRules\[0\]\.trigger\.thresholdSeconds: is 7200 but must be a number of seconds in \(0, 900\]/,
  },
  {
    title: "wait-time rule that does nothing",
    policy: exceptionPolicyWaitTime,
    resource: "ep-escalate",
    path: "exceptionRules.0.actions",
    value: [],
    message: /exceptionRules\[0\]\.actions: must hold at least one action/,
  },
  {
    title: "classification policy without a fallback queue",
    policy: classificationFallbackQueue,
    resource: "cp-inbound",
    path: "fallbackQueueId",
    value: undefined,
    message: /classification policy "cp-inbound" fallbackQueueId: must name a fallback queue\. Fix:/,
  },
  {
    title: "webhook scoring rule over http",
    policy: ruleEndpointsHttps,
    resource: "dp-standard",
    path: "mode.scoringRule.webhookUri",
    value: "http://scoring.example.com/score",
    message:
      /mode\.scoringRule\.webhookUri: must be an https:\/\/ URL \(webhook rule at mode\.scoringRule\), but it uses http\./,
  },
  {
    title: "OAuth token endpoint over http",
    policy: ruleEndpointsHttps,
    resource: "dp-standard",
    path: "mode.scoringRule.authorizationServerUri",
    value: "http://login.example.com/token",
    message: /mode\.scoringRule\.authorizationServerUri: must be an https:\/\/ URL/,
  },
  {
    title: "function rule over http in a condition",
    policy: ruleEndpointsHttps,
    resource: "cp-inbound",
    path: "queueSelectorAttachments.1.condition",
    value: { kind: "function", functionUri: "http://cond.example.com/api/vip" },
    message:
      /queueSelectorAttachments\[1\]\.condition\.functionUri: must be an https:\/\/ URL \(function rule at queueSelectorAttachments\[1\]\.condition\)/,
  },
  {
    title: "webhook client secret in plain text",
    policy: ruleCredentialsSecret,
    resource: "dp-standard",
    path: "__secretPaths",
    value: [],
    message:
      /mode\.scoringRule\.clientCredential\.clientSecret: is a credential but is not a Pulumi secret.*Fix: pass it as pulumi\.secret/,
  },
  {
    title: "id outside the naming pattern",
    policy: idNamingPattern,
    resource: "q-sales",
    path: "queueId",
    value: "Sales_Queue",
    message: /queue "q-sales" queueId: id "Sales_Queue" must match \^\[a-z\]/,
  },
];

/** `__secretPaths` is not a field: it changes which paths the program passed as secrets. */
function mutate(c: Case): TestResource {
  if (c.path === "__secretPaths") {
    const r = fixture(c.resource);
    r.secretPaths = c.value as string[];
    return r;
  }
  return withChange(c.resource, c.path, c.value);
}

describe("one changed field gives exactly one violation, from the policy that owns the rule", () => {
  for (const c of cases) {
    it(`${c.policy.name}: ${c.title}`, async () => {
      const found = await runPack(mutate(c));
      expect(found).toHaveLength(1);
      expect(found[0]?.policy).toBe(c.policy.name);
      expect(found[0]?.message).toMatch(c.message);
      // Every message says how to fix it.
      expect(found[0]?.message).toMatch(/ Fix: \S/);
    });
  }
});

describe("config overrides", () => {
  it("offer-expiry-bounds: raising maxSeconds accepts a longer offer, raising minSeconds rejects the fixture", async () => {
    const r = withChange("dp-standard", "offerExpiresAfterSeconds", 3600);
    expect(await validateResource(offerExpiryBounds, r, { maxSeconds: 3600 })).toEqual([]);
    const strict = await validateResource(offerExpiryBounds, fixture("dp-standard"), { minSeconds: 90 });
    expect(strict).toHaveLength(1);
    expect(strict[0]).toMatch(/is 60 s but must lie in \[90, 120\] seconds/);
  });

  it("offer-expiry-bounds: requireExplicit false accepts an omitted expiry", async () => {
    const r = withChange("dp-standard", "offerExpiresAfterSeconds", undefined);
    expect(await validateResource(offerExpiryBounds, r, { requireExplicit: false })).toEqual([]);
  });

  it("concurrent-offers-bounds: the ceiling is configurable", async () => {
    const r = withChange("dp-standard", "mode.maxConcurrentOffers", 50);
    expect(await validateResource(concurrentOffersBounds, r, { maxConcurrentOffersCeiling: 50 })).toEqual([]);
    const tight = await validateResource(concurrentOffersBounds, fixture("dp-standard"), {
      maxConcurrentOffersCeiling: 2,
    });
    expect(tight).toEqual([expect.stringMatching(/is 3 but must be at most 2/)]);
  });

  it("concurrent-offers-bounds: an omitted max counts as the service default 1", async () => {
    const r = withChange("dp-standard", "mode.maxConcurrentOffers", undefined);
    setPath(r.props, "mode.minConcurrentOffers", 2);
    expect(await validateResource(concurrentOffersBounds, r)).toEqual([
      expect.stringMatching(/is 2 but must not exceed mode\.maxConcurrentOffers \(1, the service default\)/),
    ]);
  });

  it("bypass-selectors-allowlist: listed ids may bypass selectors", async () => {
    const r = withChange("dp-standard", "mode.bypassSelectors", true);
    expect(await validateResource(bypassSelectorsAllowlist, r, { allowedPolicyIds: ["dp-standard"] })).toEqual([]);
    expect(await validateResource(bypassSelectorsAllowlist, r, { allowedPolicyIds: ["dp-other"] })).toHaveLength(1);
  });

  it("exception-policy-wait-time: maxThresholdSeconds is configurable", async () => {
    const r = withChange("ep-escalate", "exceptionRules.0.trigger.thresholdSeconds", 7200);
    expect(await validateResource(exceptionPolicyWaitTime, r, { maxThresholdSeconds: 7200 })).toEqual([]);
    const tight = await validateResource(exceptionPolicyWaitTime, fixture("ep-overflow"), { maxThresholdSeconds: 600 });
    expect(tight).toEqual([expect.stringMatching(/is 900 but must be a number of seconds in \(0, 600\]/)]);
  });

  it("rule-endpoints-https: allowHttpHosts admits a named test host only", async () => {
    const r = withChange("dp-standard", "mode.scoringRule.webhookUri", "http://localhost:8080/score");
    expect(await validateResource(ruleEndpointsHttps, r, { allowHttpHosts: ["localhost"] })).toEqual([]);
    expect(await validateResource(ruleEndpointsHttps, r, { allowHttpHosts: ["127.0.0.1"] })).toHaveLength(1);
  });

  it("id-naming-pattern: a custom pattern replaces the default; an invalid one is reported, not thrown", async () => {
    const r = withChange("q-sales", "queueId", "Sales_Queue");
    expect(await validateResource(idNamingPattern, r, { pattern: "^[A-Za-z_]+$" })).toEqual([]);
    expect(await validateResource(idNamingPattern, fixture("q-sales"), { pattern: "^[A-Z]+$" })).toHaveLength(1);
    const bad = await validateResource(idNamingPattern, fixture("q-sales"), { pattern: "([" });
    expect(bad).toEqual([expect.stringMatching(/config "pattern" is not a valid regular expression/)]);
  });

  it("getConfig values override the schema defaults, and enforcementLevel in config is not mistaken for a knob", async () => {
    const r = withChange("dp-standard", "offerExpiresAfterSeconds", 200);
    expect(await validateResource(offerExpiryBounds, r, { enforcementLevel: "advisory", maxSeconds: 300 })).toEqual([]);
  });
});

describe("the defaulted own id", () => {
  it("falls back to the resource name", async () => {
    const r = fixture("q-overflow");
    expect(await validateResource(idNamingPattern, r)).toEqual([]);
    r.name = "Overflow";
    expect(await validateResource(idNamingPattern, r)).toEqual([
      expect.stringMatching(/queueId: id "Overflow" must match/),
    ]);
  });
});

describe("preview-time unknowns", () => {
  it("a computed field is skipped instead of failing the whole policy", async () => {
    const cases: Array<[ResourceValidationPolicy, TestResource]> = [
      [
        offerExpiryBounds,
        withChange("dp-standard", "offerExpiresAfterSeconds", "3eeb2bf0-c639-47a8-9e75-3b44932eb421"),
      ],
      [queueHasExceptionPolicy, withChange("q-sales", "exceptionPolicyId", UNKNOWN_STRING)],
      [classificationFallbackQueue, withChange("cp-inbound", "fallbackQueueId", UNKNOWN_STRING)],
      [ruleEndpointsHttps, withChange("dp-standard", "mode.scoringRule.webhookUri", UNKNOWN_STRING)],
      [idNamingPattern, withChange("q-sales", "queueId", UNKNOWN_STRING)],
    ];
    for (const [policy, r] of cases) expect(await validateResource(policy, r), policy.name).toEqual([]);
  });
});

describe("rule-credentials-secret", () => {
  it("accepts a credential inside a secret object, and a function key passed as secret", async () => {
    const r = fixture("dp-standard");
    r.secretPaths = ["mode.scoringRule"];
    expect(await runPack(r)).toEqual([]);
    expect(await runPack(fixture("cp-inbound"))).toEqual([]);
  });

  it("flags a plaintext function key without echoing it", async () => {
    const r = fixture("cp-inbound");
    r.secretPaths = [];
    const found = await runPack(r);
    expect(found).toEqual([
      {
        policy: "rule-credentials-secret",
        message: expect.stringMatching(
          /prioritizationRule\.credential\.functionKey: is a credential but is not a Pulumi secret/,
        ),
      },
    ]);
    expect(JSON.stringify(found)).not.toContain(FUNCTION_KEY);
  });

  it("never echoes the plaintext client secret", async () => {
    const r = fixture("dp-standard");
    r.secretPaths = [];
    const found = await runPack(r);
    expect(found).toHaveLength(1);
    expect(JSON.stringify(found)).not.toContain(CLIENT_SECRET);
  });

  it("fails closed when the probe did not run", async () => {
    const found = await validateResource(ruleCredentialsSecret, fixture("dp-standard"));
    expect(found).toEqual([
      expect.stringMatching(/could not be checked for secrecy because credential-secrecy-probe did not run/),
    ]);
  });

  it("a probe record vouches for one validation only", async () => {
    const r = fixture("dp-standard");
    await remediate(credentialSecrecyProbe, r);
    expect(await validateResource(ruleCredentialsSecret, r)).toEqual([]);
    expect(await validateResource(ruleCredentialsSecret, r)).toEqual([expect.stringMatching(/did not run/)]);
  });

  it("the probe never changes a resource", async () => {
    expect(await remediate(credentialSecrecyProbe, fixture("dp-standard"))).toBeUndefined();
  });

  it("also checks ContactCenter inputs, whose values are stored in state as given", async () => {
    const cc = fixture("cc");
    cc.props.classificationPolicies = {
      inbound: {
        fallbackQueue: "overflow",
        prioritizationRule: {
          kind: "webhook",
          webhookUri: "https://p.example.com",
          clientCredential: { clientId: "a", clientSecret: CLIENT_SECRET },
        },
      },
    };
    const plain = await runPack(cc);
    expect(plain).toEqual([
      {
        policy: "rule-credentials-secret",
        message: expect.stringMatching(
          /ContactCenter "cc" classificationPolicies\.inbound\.prioritizationRule\.clientCredential\.clientSecret: is a credential but is not a Pulumi secret/,
        ),
      },
    ]);
    resetCredentialObservations();
    cc.secretPaths = ["classificationPolicies.inbound.prioritizationRule.clientCredential.clientSecret"];
    expect(await runPack(cc)).toEqual([]);
  });
});

describe("rule-endpoints-https message hygiene", () => {
  it("reports the scheme, never the URL (a function key may sit in its query)", async () => {
    const r = withChange(
      "cp-inbound",
      "prioritizationRule.functionUri",
      "http://prio.example.com/api/priority?code=KEY-IN-QUERY",
    );
    const found = await validateResource(ruleEndpointsHttps, r);
    expect(found).toHaveLength(1);
    expect(found[0]).not.toContain("KEY-IN-QUERY");
  });
});

describe("policy metadata", () => {
  it("every policy has a kebab-case name, a one-sentence description, a config schema with defaults, and a level", () => {
    const names = new Set<string>();
    for (const p of policies) {
      expect(p.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(names.has(p.name)).toBe(false);
      names.add(p.name);
      expect(p.description).toMatch(/^[A-Z].*\.$/);
      expect(p.description.slice(0, -1)).not.toMatch(/\.\s/);
      expect(p.configSchema).toBeDefined();
      for (const [k, s] of Object.entries(p.configSchema?.properties ?? {})) {
        expect(typeof s === "object" && s.default !== undefined, `${p.name}.${k} has a default`).toBe(true);
      }
      expect(p.remediationSteps).toBeTruthy();
      expect(["advisory", "mandatory", "disabled", "remediate"]).toContain(p.enforcementLevel);
    }
    // Only the probe uses `remediate`, because that is the only level at which the SDK shows secrets.
    expect(policies.filter((p) => p.enforcementLevel === "remediate").map((p) => p.name)).toEqual([
      "credential-secrecy-probe",
    ]);
  });
});
