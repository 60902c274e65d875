// provider/client/validation.ts: the service's field rules, shared by the emulator and the providers' check.

import { describe, expect, it } from "vitest";
import {
  errorsOf,
  formatViolations,
  stripUnknownProperties,
  validateAdminBody,
  validateId,
  validateJobBody,
  validateWorkerBody,
} from "../../provider/client/validation";
import type { AdminCollection } from "../../provider/client/models";

function messages(collection: AdminCollection, body: unknown): string[] {
  return errorsOf(validateAdminBody(collection, body)).map((v) => v.message);
}

// The recorded request bodies are valid as they are.
const RECORDED = {
  distributionPolicies: {
    name: "test-d-policy",
    offerExpiresAfterSeconds: 60,
    mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 5, bypassSelectors: false },
  },
  exceptionPolicies: {
    name: "test-e-policy",
    exceptionRules: [
      {
        id: "MaxWaitTimeExceededCancel",
        actions: [{ kind: "cancel", note: "wait time exceeded; cancelling" }],
        trigger: { kind: "waitTime", thresholdSeconds: 10 },
      },
    ],
  },
  queues: { id: "test-a-queue", name: "test-a-queue", exceptionPolicyId: "e", distributionPolicyId: "d", labels: {} },
  classificationPolicies: { name: "test-c-policy", fallbackQueueId: "q" },
} as const;

describe("validateAdminBody", () => {
  it.each(Object.entries(RECORDED))("accepts the recorded %s body", (collection, body) => {
    expect(validateAdminBody(collection as AdminCollection, body)).toEqual([]);
  });

  it("accepts a full classification policy with every attachment kind and rule kind", () => {
    const body = {
      prioritizationRule: { kind: "expression", language: "powerFx", expression: "If(job.vip, 10, 1)" },
      queueSelectorAttachments: [
        {
          kind: "conditional",
          condition: { kind: "directMap" },
          queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q" }],
        },
        { kind: "passThrough", key: "region", labelOperator: "equal" },
        {
          kind: "ruleEngine",
          rule: { kind: "function", functionUri: "https://f.example/api/x", credential: { functionKey: "s3cret" } },
        },
        { kind: "static", queueSelector: { key: "tier", labelOperator: "greaterThan", value: 2 } },
        {
          kind: "weightedAllocation",
          allocations: [
            { weight: 0.25, queueSelectors: [] },
            { weight: 0.75, queueSelectors: [] },
          ],
        },
      ],
      workerSelectorAttachments: [
        { kind: "passThrough", key: "lang", labelOperator: "equal", expiresAfterSeconds: 60 },
        {
          kind: "ruleEngine",
          rule: {
            kind: "webhook",
            webhookUri: "https://h.example/w",
            authorizationServerUri: "https://login.example/token",
            clientCredential: { clientId: "c", clientSecret: "s" },
          },
        },
        { kind: "static", workerSelector: { key: "x", labelOperator: "notEqual", value: false, expedite: true } },
        {
          kind: "conditional",
          condition: { kind: "static", value: true },
          workerSelectors: [{ key: "y", labelOperator: "lessThanOrEqual", value: 3 }],
        },
        {
          kind: "weightedAllocation",
          allocations: [{ weight: 1, workerSelectors: [{ key: "z", labelOperator: "equal", value: "a" }] }],
        },
      ],
    };
    expect(validateAdminBody("classificationPolicies", body)).toEqual([]);
  });

  it("names the path and the rule for distribution policies", () => {
    expect(
      messages("distributionPolicies", {
        mode: { kind: "roundRobin", minConcurrentOffers: 2, maxConcurrentOffers: 1 },
      }),
    ).toEqual(["mode.maxConcurrentOffers: must be >= minConcurrentOffers (2) (got 1)"]);
    expect(
      messages("distributionPolicies", {
        offerExpiresAfterSeconds: -5,
        mode: { kind: "bestWorker", minConcurrentOffers: 0, maxConcurrentOffers: 1.5 },
      }),
    ).toEqual([
      "offerExpiresAfterSeconds: must be > 0 (got -5)",
      "mode.minConcurrentOffers: must be >= 1 (got 0)",
      "mode.maxConcurrentOffers: must be an integer (got 1.5)",
    ]);
    expect(messages("distributionPolicies", { mode: {} })).toEqual(["mode.kind: is required"]);
    expect(messages("distributionPolicies", { mode: "longestIdle" })).toEqual([
      "mode: must be an object (got a string)",
    ]);
    expect(messages("distributionPolicies", { name: 5, offerExpiresAfterSeconds: "60" })).toEqual([
      "name: must be a string (got a number)",
      "offerExpiresAfterSeconds: must be a finite number (got a string)",
      "mode: is required (a distribution policy needs a mode: bestWorker, longestIdle or roundRobin)",
    ]);
    expect(messages("distributionPolicies", { offerExpiresAfterSeconds: NaN, mode: { kind: "roundRobin" } })).toEqual([
      "offerExpiresAfterSeconds: must be a finite number (got NaN)",
    ]);
    expect(
      messages("distributionPolicies", {
        mode: {
          kind: "bestWorker",
          scoringRule: { kind: "expression", expression: "" },
          scoringRuleOptions: {
            batchSize: 0,
            scoringParameters: ["jobLabels", "workerLabels"],
            descendingOrder: "yes",
          },
        },
      }),
    ).toEqual([
      "mode.scoringRule.expression: must not be empty",
      "mode.scoringRuleOptions.batchSize: must be >= 1 (got 0)",
      'mode.scoringRuleOptions.scoringParameters[1]: must be one of jobLabels, workerSelectors (got "workerLabels")',
      "mode.scoringRuleOptions.descendingOrder: must be a boolean (got a string)",
    ]);
    expect(messages("distributionPolicies", { mode: { kind: "roundRobin", minConcurrentOffers: 3000000000 } })).toEqual(
      ["mode.minConcurrentOffers: must fit in a 32-bit signed integer (got 3000000000)"],
    );
  });

  it("treats old kebab-case kinds as warnings, not errors, and unknown kinds as errors", () => {
    const v = validateAdminBody("distributionPolicies", { mode: { kind: "longest-idle" } });
    expect(v).toEqual([
      {
        path: "mode.kind",
        rule: "legacyKind",
        severity: "warning",
        message:
          'mode.kind: "longest-idle" is a pre-GA spelling; use "longestIdle" (the service may echo it unnormalised)',
      },
    ]);
    expect(errorsOf(v)).toEqual([]);
    expect(messages("classificationPolicies", { prioritizationRule: { kind: "expression-rule" } })).toEqual([
      "prioritizationRule.expression: is required",
    ]);
    expect(
      messages("exceptionPolicies", {
        exceptionRules: [
          { id: "r", trigger: { kind: "wait-time", thresholdSeconds: 1 }, actions: [{ kind: "cancel" }] },
        ],
      }),
    ).toEqual([]);
    expect(messages("distributionPolicies", { mode: { kind: "random" } })).toEqual([
      'mode.kind: must be one of bestWorker, longestIdle, roundRobin (got "random")',
    ]);
  });

  it("checks queue labels are primitives and ids non-empty", () => {
    expect(
      messages("queues", { distributionPolicyId: "", labels: { a: "x", b: 1, c: true, d: null, e: [1], f: { g: 1 } } }),
    ).toEqual([
      "distributionPolicyId: must not be empty",
      "labels.e: must be a string, number or boolean (got an array)",
      "labels.f: must be a string, number or boolean (got an object)",
    ]);
    expect(messages("queues", { distributionPolicyId: "d", labels: "a=b" })).toEqual([
      "labels: must be an object of labels (got a string)",
    ]);
    expect(messages("queues", { name: "no policy" })).toEqual(["distributionPolicyId: is required"]);
    expect(messages("queues", [])).toEqual(["body: must be an object (got an array)"]);
  });

  it("checks classification attachments: required members, weights, selectors, rules", () => {
    expect(
      messages("classificationPolicies", {
        queueSelectorAttachments: [
          { kind: "conditional", condition: { kind: "expression", expression: "true" } },
          { kind: "passThrough", labelOperator: "equal" },
          { kind: "static" },
          {
            kind: "weightedAllocation",
            allocations: [
              { weight: 0, queueSelectors: [] },
              { weight: 1.2, queueSelectors: [] },
            ],
          },
          { kind: "weightedAllocation", allocations: [] },
          { kind: "ruleEngine", rule: { kind: "function", functionUri: "ftp://x/y" } },
          { kind: "ruleEngine" },
        ],
        workerSelectorAttachments: [
          { kind: "static", workerSelector: { key: "", labelOperator: "equal", expiresAfterSeconds: 0 } },
        ],
      }),
    ).toEqual([
      "queueSelectorAttachments[0].queueSelectors: is required",
      "queueSelectorAttachments[1].key: is required",
      "queueSelectorAttachments[2].queueSelector: is required",
      "queueSelectorAttachments[3].allocations[0].weight: must be > 0 (got 0)",
      "queueSelectorAttachments[3].allocations[1].weight: must be <= 1 (got 1.2)",
      "queueSelectorAttachments[4].allocations: must contain at least one allocation",
      "queueSelectorAttachments[5].rule.functionUri: must be an absolute http or https URI",
      "queueSelectorAttachments[6].rule: is required",
      "workerSelectorAttachments[0].workerSelector.key: must not be empty",
      "workerSelectorAttachments[0].workerSelector.expiresAfterSeconds: must be > 0 (got 0)",
    ]);
    // Weights that sum to 1 within floating-point noise are fine.
    expect(
      messages("classificationPolicies", {
        queueSelectorAttachments: [
          {
            kind: "weightedAllocation",
            allocations: [0.1, 0.2, 0.3, 0.4].map((weight) => ({ weight, queueSelectors: [] })),
          },
        ],
      }),
    ).toEqual([]);
    expect(messages("classificationPolicies", { prioritizationRule: { kind: "static", value: { a: 1 } } })).toEqual([
      "prioritizationRule.value: must be a string, number or boolean (got an object)",
    ]);
  });

  it("checks exception rules: required members, thresholds, duplicate ids, action kinds", () => {
    expect(
      messages("exceptionPolicies", {
        exceptionRules: [
          { trigger: { kind: "queueLength", threshold: 1.5 }, actions: [{ kind: "cancel" }] },
          {
            id: "a",
            actions: [
              { kind: "escalate" },
              { kind: "manualReclassify", id: "x", priority: -101 },
              { kind: "cancel", id: "x" },
            ],
          },
          { id: "a", trigger: { kind: "waitTime" } },
        ],
      }),
    ).toEqual([
      "exceptionRules[0].id: is required",
      "exceptionRules[0].trigger.threshold: must be an integer (got 1.5)",
      "exceptionRules[1].trigger: is required",
      'exceptionRules[1].actions[0].kind: must be one of cancel, manualReclassify, reclassify (got "escalate")',
      "exceptionRules[1].actions[1].priority: must be >= -100 (got -101)",
      'exceptionRules[1].actions[2].id: duplicates exceptionRules[1].actions[1].id ("x")',
      'exceptionRules[2].id: duplicates exceptionRules[1].id ("a")',
      "exceptionRules[2].trigger.thresholdSeconds: is required",
      "exceptionRules[2].actions: is required",
    ]);
    expect(
      messages("exceptionPolicies", {
        exceptionRules: [
          {
            id: "r",
            trigger: { kind: "queueLength", threshold: 1 },
            actions: [{ kind: "reclassify", labelsToUpsert: { x: [] } }],
          },
        ],
      }),
    ).toEqual(["exceptionRules[0].actions[0].labelsToUpsert.x: must be a string, number or boolean (got an array)"]);
  });

  it("refuses a queue-length threshold of 0 and a rule without actions", () => {
    expect(
      messages("exceptionPolicies", {
        exceptionRules: [{ id: "r", trigger: { kind: "queueLength", threshold: 0 }, actions: [] }],
      }),
    ).toEqual([
      "exceptionRules[0].trigger.threshold: must be >= 1 (got 0)",
      "exceptionRules[0].actions: must contain at least one action (cancel, manualReclassify or reclassify)",
    ]);
  });

  it("refuses a webhook rule without webhookUri", () => {
    expect(messages("classificationPolicies", { prioritizationRule: { kind: "webhook" } })).toEqual([
      "prioritizationRule.webhookUri: is required",
    ]);
  });

  it("refuses PowerFx syntax errors with the position and what was expected; unknown functions only warn", () => {
    const rule = (expression: string): unknown => ({ prioritizationRule: { kind: "expression", expression } });
    expect(messages("classificationPolicies", rule("If(job.vip = true, 10"))).toEqual([
      "prioritizationRule.expression: is not a valid PowerFx expression: expected ')' but found end of expression, " +
        'at character 22 (after "If(job.vip = true, 10")',
    ]);
    expect(messages("classificationPolicies", rule("If(job.vip = true 10, 1)"))).toEqual([
      "prioritizationRule.expression: is not a valid PowerFx expression: expected ')' but found '10', " +
        'at character 19 (after "If(job.vip = true ")',
    ]);
    const unknown = validateAdminBody("classificationPolicies", rule("Iff(job.vip = true, 10, 1)"));
    expect(errorsOf(unknown)).toEqual([]);
    expect(unknown.map((v) => [v.rule, v.severity])).toEqual([["unknownFunction", "warning"]]);
    expect(unknown[0]?.message).toContain("calls Iff() (at character 1)");
    expect(unknown[0]?.message).toContain("Did you mean If()?");
    // Valid PowerFx outside the emulator's subset is never refused: an operator the subset lacks only warns.
    const beyond = validateAdminBody("classificationPolicies", rule('If(job.Region in ["NA", "EU"], 10, 1)'));
    expect(errorsOf(beyond)).toEqual([]);
    expect(beyond.map((v) => [v.rule, v.severity])).toEqual([["expressionSyntax", "warning"]]);
    expect(messages("classificationPolicies", rule("job.Score ^ 2"))).toEqual([]);
    expect(messages("classificationPolicies", rule('If(job.vip = true, "gold)'))).toEqual([
      expect.stringContaining("is not a valid PowerFx expression: unterminated string literal"),
    ]);
    expect(messages("classificationPolicies", rule("If(job.vip = true, 10, 1))"))).toEqual([
      expect.stringContaining("is not a valid PowerFx expression"),
    ]);
    expect(errorsOf(validateAdminBody("classificationPolicies", rule('Text(job.Amount, "0.00")')))).toEqual([]);
  });

  it("reports unknown properties only when asked, and strips them for the emulator", () => {
    const body = { name: "n", colour: "red", mode: { kind: "roundRobin", scoringRule: { kind: "directMap" } } };
    expect(validateAdminBody("distributionPolicies", body)).toEqual([]);
    expect(
      errorsOf(validateAdminBody("distributionPolicies", body, { unknownProperties: "report" })).map((v) => [
        v.path,
        v.rule,
      ]),
    ).toEqual([
      ["colour", "unknownProperty"],
      ["mode.scoringRule", "unknownProperty"],
    ]);
    expect(stripUnknownProperties("distributionPolicies", body)).toEqual({ name: "n", mode: { kind: "roundRobin" } });
    expect(body.colour).toBe("red");
  });

  it("never echoes secret values in messages", () => {
    const secret = "super-secret-function-key";
    const v = validateAdminBody("classificationPolicies", {
      prioritizationRule: { kind: "function", functionUri: secret, credential: { functionKey: 42, appKey: secret } },
    });
    expect(formatViolations(v)).not.toContain(secret);
    expect(v.map((x) => x.path)).toEqual([
      "prioritizationRule.functionUri",
      "prioritizationRule.credential.functionKey",
    ]);
  });
});

describe("validateId", () => {
  it.each(["q1", "test-a-queue-recorded-d-policies", "Queue_1.main", "ünïcode"])("accepts %s", (id) => {
    expect(validateId(id)).toEqual([]);
  });
  it.each([
    ["", "id: must not be empty"],
    ["a/b", "id: must not contain / \\ ? # % : or control characters, and must not be . or .."],
    ["job:cancel", "id: must not contain / \\ ? # % : or control characters, and must not be . or .."],
    ["..", "id: must not contain / \\ ? # % : or control characters, and must not be . or .."],
    [" padded", "id: must not start or end with whitespace"],
    ["x".repeat(257), "id: must be at most 256 characters (got 257)"],
  ])("refuses %j", (id, message) => {
    expect(validateId(id).map((v) => v.message)).toEqual([message]);
  });
  it("names the given path", () => {
    expect(validateId(3, "queueId")[0]?.message).toBe("queueId: must be a string (got a number)");
  });
});

describe("validateJobBody / validateWorkerBody", () => {
  it("checks job priority, notes, matching mode and selectors", () => {
    expect(
      validateJobBody({
        channelId: "voice",
        queueId: "q",
        priority: 1,
        labels: { a: 1 },
        matchingMode: { kind: "queueAndMatch" },
      }),
    ).toEqual([]);
    expect(
      errorsOf(
        validateJobBody({
          priority: 101,
          notes: [{ addedAt: "yesterday" }],
          matchingMode: { kind: "scheduleAndSuspend" },
          requestedWorkerSelectors: [{ key: "k" }],
        }),
      ).map((v) => v.message),
    ).toEqual([
      "priority: must be <= 100 (got 101)",
      "requestedWorkerSelectors[0].labelOperator: is required",
      "notes[0].message: is required",
      "notes[0].addedAt: must be an RFC 3339 date-time",
      "matchingMode.scheduleAt: is required",
    ]);
  });

  it("checks worker channels, capacity and queues", () => {
    expect(
      validateWorkerBody({
        capacity: 10,
        queues: ["q"],
        channels: [{ channelId: "voice", capacityCostPerJob: 10, maxNumberOfJobs: 1 }],
        availableForOffers: true,
      }),
    ).toEqual([]);
    expect(
      errorsOf(
        validateWorkerBody({
          capacity: -1,
          queues: ["q", "q", ""],
          channels: [{ channelId: "v", capacityCostPerJob: 1, maxNumberOfJobs: 0 }, { channelId: "v" }],
        }),
      ).map((v) => v.message),
    ).toEqual([
      'queues[1]: duplicates queue "q"',
      "queues[2]: must be a non-empty string (a queue id)",
      "capacity: must be >= 0 (got -1)",
      "channels[0].maxNumberOfJobs: must be > 0 (got 0)",
      'channels[1].channelId: duplicates channels[0].channelId ("v")',
      "channels[1].capacityCostPerJob: is required",
    ]);
  });
});
