// Bad inputs fail at preview, through the real engine, with a message that names the field and the rule,
// and without a single request reaching the service (asserted on the emulator's request log).
// The engine stops at the first check failure of a run, so each case gets its own preview.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";
import { PROGRAM_DIR, configFor, type ResourceSpec, type ResourceType } from "./providers-fixtures";

interface BadCase {
  title: string;
  type: ResourceType;
  args: Record<string, unknown>;
  /** What the engine's diagnostic must contain after "has a problem: ". */
  message: string;
}

const dp = (mode: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  mode,
  ...extra,
});
const cpQueue = (attachment: unknown): Record<string, unknown> => ({ queueSelectorAttachments: [attachment] });
const cpWorker = (attachment: unknown): Record<string, unknown> => ({ workerSelectorAttachments: [attachment] });
const epRule = (rule: Record<string, unknown>): Record<string, unknown> => ({ exceptionRules: [rule] });
const wait = { kind: "waitTime", thresholdSeconds: 60 };

const BAD_CASES: BadCase[] = [
  // ---- distribution policies
  {
    title: "offer expiry of zero",
    type: "DistributionPolicy",
    args: { offerExpiresAfterSeconds: 0 },
    message: "offerExpiresAfterSeconds: must be > 0 (got 0) [rule: range]",
  },
  {
    title: "unknown mode kind",
    type: "DistributionPolicy",
    args: dp({ kind: "fastest" }),
    message: 'mode.kind: must be one of bestWorker, longestIdle, roundRobin (got "fastest") [rule: enum]',
  },
  {
    title: "mode without kind",
    type: "DistributionPolicy",
    args: dp({ maxConcurrentOffers: 2 }),
    message: "mode.kind: is required [rule: required]",
  },
  {
    title: "min concurrent offers 0",
    type: "DistributionPolicy",
    args: dp({ kind: "roundRobin", minConcurrentOffers: 0 }),
    message: "mode.minConcurrentOffers: must be >= 1 (got 0) [rule: range]",
  },
  {
    title: "fractional max concurrent offers",
    type: "DistributionPolicy",
    args: dp({ kind: "longestIdle", maxConcurrentOffers: 2.5 }),
    message: "mode.maxConcurrentOffers: must be an integer (got 2.5) [rule: integer]",
  },
  {
    title: "min above max (cross-field)",
    type: "DistributionPolicy",
    args: dp({ kind: "longestIdle", minConcurrentOffers: 5, maxConcurrentOffers: 2 }),
    message: "mode.maxConcurrentOffers: must be >= minConcurrentOffers (5) (got 2) [rule: range]",
  },
  {
    title: "bypassSelectors not a boolean",
    type: "DistributionPolicy",
    args: dp({ kind: "roundRobin", bypassSelectors: "yes" }),
    message: "mode.bypassSelectors: must be a boolean (got a string) [rule: type]",
  },
  {
    title: "scoring batch size 0",
    type: "DistributionPolicy",
    args: dp({ kind: "bestWorker", scoringRuleOptions: { batchSize: 0 } }),
    message: "mode.scoringRuleOptions.batchSize: must be >= 1 (got 0) [rule: range]",
  },
  {
    title: "unknown scoring parameter",
    type: "DistributionPolicy",
    args: dp({ kind: "bestWorker", scoringRuleOptions: { scoringParameters: ["jobLabels", "skills"] } }),
    message:
      'mode.scoringRuleOptions.scoringParameters[1]: must be one of jobLabels, workerSelectors (got "skills") [rule: enum]',
  },
  {
    title: "scoring rule on a round-robin mode",
    type: "DistributionPolicy",
    args: dp({ kind: "roundRobin", scoringRule: { kind: "directMap" } }),
    message: "mode.scoringRule: is not a property of this object",
  },
  {
    title: "webhook scoring rule with a bad URI",
    type: "DistributionPolicy",
    args: dp({ kind: "bestWorker", scoringRule: { kind: "webhook", webhookUri: "not a url" } }),
    message: "mode.scoringRule.webhookUri: must be an absolute http or https URI [rule: format]",
  },
  {
    title: "name not a string",
    type: "DistributionPolicy",
    args: { name: 42 },
    message: "name: must be a string (got a number) [rule: type]",
  },
  // ---- queues
  {
    title: "label value that is an object",
    type: "RouterQueue",
    args: { labels: { team: { name: "a" } } },
    message: "labels.team: must be a string, number or boolean (got an object) [rule: primitive]",
  },
  {
    title: "empty distribution policy id",
    type: "RouterQueue",
    args: { distributionPolicyId: "" },
    message: "distributionPolicyId: must not be empty [rule: nonEmpty]",
  },
  {
    title: "Id label contradicting the queue id",
    type: "RouterQueue",
    args: { labels: { Id: "someone-else" } },
    message: "labels.Id: is set by the service to the queue id",
  },
  {
    title: "queue id with a slash",
    type: "RouterQueue",
    args: { queueId: "support/en" },
    message: "queueId: must not contain / \\ ? # % : or control characters",
  },
  {
    title: "misspelt field",
    type: "RouterQueue",
    args: { lables: { a: 1 } },
    message: "lables: is not a property of this object",
  },
  // ---- classification policies
  {
    title: "unknown attachment kind",
    type: "ClassificationPolicy",
    args: cpQueue({ kind: "magic" }),
    message:
      "queueSelectorAttachments[0].kind: must be one of conditional, passThrough, ruleEngine, static, weightedAllocation",
  },
  {
    title: "conditional without condition",
    type: "ClassificationPolicy",
    args: cpQueue({ kind: "conditional", queueSelectors: [] }),
    message: "queueSelectorAttachments[0].condition: is required [rule: required]",
  },
  {
    title: "selector with an unknown operator",
    type: "ClassificationPolicy",
    args: cpQueue({ kind: "static", queueSelector: { key: "tier", labelOperator: "like", value: "g" } }),
    message: "queueSelectorAttachments[0].queueSelector.labelOperator: must be one of equal, notEqual",
  },
  {
    title: "weights that do not add up to 1",
    type: "ClassificationPolicy",
    args: cpQueue({
      kind: "weightedAllocation",
      allocations: [
        { weight: 0.5, queueSelectors: [] },
        { weight: 0.4, queueSelectors: [] },
      ],
    }),
    message: "queueSelectorAttachments[0].allocations: weights must sum to 1 (got 0.9) [rule: sum]",
  },
  {
    title: "a weight above 1",
    type: "ClassificationPolicy",
    args: cpQueue({ kind: "weightedAllocation", allocations: [{ weight: 1.5, queueSelectors: [] }] }),
    message: "queueSelectorAttachments[0].allocations[0].weight: must be <= 1 (got 1.5) [rule: range]",
  },
  {
    title: "pass-through that expires at once",
    type: "ClassificationPolicy",
    args: cpWorker({ kind: "passThrough", key: "lang", labelOperator: "equal", expiresAfterSeconds: 0 }),
    message: "workerSelectorAttachments[0].expiresAfterSeconds: must be > 0 (got 0) [rule: range]",
  },
  {
    title: "expression rule without expression",
    type: "ClassificationPolicy",
    args: { prioritizationRule: { kind: "expression" } },
    message: "prioritizationRule.expression: is required [rule: required]",
  },
  {
    title: "expression rule in another language",
    type: "ClassificationPolicy",
    args: { prioritizationRule: { kind: "expression", language: "javascript", expression: "1" } },
    message: 'prioritizationRule.language: must be one of powerFx (got "javascript") [rule: enum]',
  },
  {
    title: "function rule without URI",
    type: "ClassificationPolicy",
    args: cpWorker({ kind: "ruleEngine", rule: { kind: "function" } }),
    message: "workerSelectorAttachments[0].rule.functionUri: is required [rule: required]",
  },
  {
    title: "static rule with an object value",
    type: "ClassificationPolicy",
    args: { prioritizationRule: { kind: "static", value: { a: 1 } } },
    message: "prioritizationRule.value: must be a string, number or boolean (got an object) [rule: primitive]",
  },
  {
    title: "worker selector with an empty key",
    type: "ClassificationPolicy",
    args: cpWorker({ kind: "static", workerSelector: { key: "", labelOperator: "equal" } }),
    message: "workerSelectorAttachments[0].workerSelector.key: must not be empty [rule: nonEmpty]",
  },
  {
    title: "empty fallback queue id",
    type: "ClassificationPolicy",
    args: { fallbackQueueId: "" },
    message: "fallbackQueueId: must not be empty [rule: nonEmpty]",
  },
  // ---- exception policies
  {
    title: "rule without id",
    type: "ExceptionPolicy",
    args: epRule({ trigger: wait, actions: [] }),
    message: "exceptionRules[0].id: is required [rule: required]",
  },
  {
    title: "two rules with one id",
    type: "ExceptionPolicy",
    args: {
      exceptionRules: [
        { id: "r", trigger: wait, actions: [] },
        { id: "r", trigger: wait, actions: [] },
      ],
    },
    message: 'exceptionRules[1].id: duplicates exceptionRules[0].id ("r") [rule: unique]',
  },
  {
    title: "negative queue-length threshold",
    type: "ExceptionPolicy",
    args: epRule({ id: "r", trigger: { kind: "queueLength", threshold: -1 }, actions: [] }),
    message: "exceptionRules[0].trigger.threshold: must be >= 1 (got -1) [rule: range]",
  },
  {
    title: "wait-time trigger without threshold",
    type: "ExceptionPolicy",
    args: epRule({ id: "r", trigger: { kind: "waitTime" }, actions: [] }),
    message: "exceptionRules[0].trigger.thresholdSeconds: is required [rule: required]",
  },
  {
    title: "unknown trigger kind",
    type: "ExceptionPolicy",
    args: epRule({ id: "r", trigger: { kind: "tooLong" }, actions: [] }),
    message: 'exceptionRules[0].trigger.kind: must be one of queueLength, waitTime (got "tooLong") [rule: enum]',
  },
  {
    title: "priority out of range",
    type: "ExceptionPolicy",
    args: epRule({ id: "r", trigger: wait, actions: [{ kind: "manualReclassify", priority: 500 }] }),
    message: "exceptionRules[0].actions[0].priority: must be <= 100 (got 500) [rule: range]",
  },
  {
    title: "unknown action kind",
    type: "ExceptionPolicy",
    args: epRule({ id: "r", trigger: wait, actions: [{ kind: "escalate" }] }),
    message:
      'exceptionRules[0].actions[0].kind: must be one of cancel, manualReclassify, reclassify (got "escalate") [rule: enum]',
  },
  {
    title: "labels to upsert with a list",
    type: "ExceptionPolicy",
    args: epRule({ id: "r", trigger: wait, actions: [{ kind: "reclassify", labelsToUpsert: { x: [1] } }] }),
    message:
      "exceptionRules[0].actions[0].labelsToUpsert.x: must be a string, number or boolean (got an array) [rule: primitive]",
  },
  {
    title: "rule without actions",
    type: "ExceptionPolicy",
    args: epRule({ id: "r", trigger: wait }),
    message: "exceptionRules[0].actions: is required [rule: required]",
  },
  // ---- our own inputs
  {
    title: "malformed connection string",
    type: "RouterQueue",
    args: { connection: "endpoint=https://x.communication.azure.com/" },
    message: "connection: not a valid connection string: accesskey is required",
  },
  {
    title: "connection endpoint with another scheme",
    type: "RouterQueue",
    args: { connection: { endpoint: "ftp://x.communication.azure.com" } },
    message: "connection.endpoint: must use the http or https scheme [rule: connection]",
  },
  {
    title: "adoptExisting not true, false or overwrite",
    type: "ExceptionPolicy",
    args: { adoptExisting: "yes" },
    message: 'adoptExisting: must be true, false or "overwrite" [rule: type]',
  },
];

describe("bad inputs fail at preview, naming the field, with no request sent", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "providers-bad" });
    await h.stack({ programDir: PROGRAM_DIR }, { config: configFor([]) });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("has at least 30 cases", () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BAD_CASES.map((c, i) => [i + 1, c.title, c] as const))("%i. %s", async (_n, _title, c) => {
    const spec: ResourceSpec = { type: c.type, name: "bad", args: c.args };
    await h.current().setConfig(configFor([spec]));
    const { result, requests } = await h.track(() =>
      h.previewJson().then(
        () => "preview succeeded",
        (e: unknown) => String(e),
      ),
    );
    expect(result).toContain(`pulumi-nodejs:dynamic/jobrouter:${c.type} resource 'bad' has a problem: ${c.message}`);
    expect(requests).toEqual([]);
  });

  it("an unknown value (an id still to be created) does not hide a bad field next to it", async () => {
    await h.current().setConfig(
      configFor([
        { type: "RouterQueue", name: "new-queue", args: { distributionPolicyId: "dp-any" } },
        {
          type: "ClassificationPolicy",
          name: "bad",
          args: {
            queueSelectorAttachments: [
              { kind: "static", queueSelector: { key: "Id", labelOperator: "equal", value: { $ref: "new-queue" } } },
              { kind: "static", queueSelector: { key: "Id", labelOperator: "sameAs", value: { $ref: "new-queue" } } },
            ],
          },
        },
      ]),
    );
    const { result, requests } = await h.track(() =>
      h.previewJson().then(
        () => "preview succeeded",
        (e: unknown) => String(e),
      ),
    );
    expect(result).toContain(
      "resource 'bad' has a problem: queueSelectorAttachments[1].queueSelector.labelOperator: must be one of equal, notEqual",
    );
    expect(requests).toEqual([]);
  });

  it("no connection anywhere fails at preview and says all three ways to give one", async () => {
    expect(process.env["JOBROUTER_CONNECTION_STRING"]).toBeUndefined();
    await h.current().stack.removeConfig("jobrouter:connectionString");
    await h.current().setConfig(configFor([{ type: "RouterQueue", name: "bad", args: {} }]));
    const { result, requests } = await h.track(() =>
      h.previewJson().then(
        () => "preview succeeded",
        (e: unknown) => String(e),
      ),
    );
    expect(result).toContain(
      "resource 'bad' has a problem: connection: no Job Router connection: give the resource a `connection` input",
    );
    expect(result).toContain("jobrouter:connectionString");
    expect(result).toContain("JOBROUTER_CONNECTION_STRING");
    expect(requests).toEqual([]);
  });
});
