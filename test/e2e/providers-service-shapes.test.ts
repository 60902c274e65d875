// Through the real engine: configurations the real service accepted in its recorded answers to the official
// Python SDK (api-version 2023-11-01) pass the providers' `check` at preview (no false alarm), and the defaults
// the service fills into its answers never show up as a diff, neither after `up` nor after a `refresh` that reads
// them back. Facts 1, 2 and 8 of docs/python-sdk.md, and facts 1 and 2 of issue 22 (worker selectors of policies
// answered with expedite false and status active; bestWorker scoring options filled member by member): no diff, no
// perpetual diff, and no write on a second `up` (checked in the emulator's request log).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "./harness";
import { PROGRAM_DIR, changedSteps, configFor, type ResourceSpec } from "./providers-fixtures";

const specs: ResourceSpec[] = [
  {
    type: "DistributionPolicy",
    // The service fills in bypassSelectors false and the default scoringRuleOptions; the expression scoring rule
    // gets language powerFx.
    name: "dp-best",
    args: {
      name: "best",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "bestWorker", scoringRule: { kind: "expression", expression: "1" } },
    },
  },
  {
    type: "DistributionPolicy",
    // An old spelling, accepted and acted on by the service.
    name: "dp-legacy",
    args: { name: "legacy", offerExpiresAfterSeconds: 60, mode: { kind: "longest-idle" } },
  },
  {
    type: "ClassificationPolicy",
    name: "cp-list",
    args: {
      name: "list",
      // Fact 1: a static rule whose value is a list of selectors (the service answered 201 and echoed it).
      workerSelectorAttachments: [
        {
          kind: "ruleEngine",
          rule: {
            kind: "static",
            value: [
              { key: "Skill", labelOperator: "greaterThan", value: 5 },
              { key: "Lang", labelOperator: "equal", value: "en" },
            ],
          },
        },
        // Selectors inside attachments come back with status active.
        { kind: "static", workerSelector: { key: "VIP", labelOperator: "equal", value: true } },
      ],
      prioritizationRule: { kind: "static-rule", value: 5 },
    },
  },
  {
    type: "ExceptionPolicy",
    name: "ep-defaults",
    args: {
      name: "defaults",
      exceptionRules: [
        {
          id: "long",
          trigger: { kind: "queue-length", threshold: 10 },
          // Answered with workerSelectors [] and labelsToUpsert {}.
          actions: [
            { kind: "manualReclassify", priority: 3 },
            { kind: "reclassify", classificationPolicyId: "cp-list" },
          ],
        },
      ],
    },
  },
  {
    type: "DistributionPolicy",
    // Given partially: the service fills the missing members (scoringParameters, isBatchScoringEnabled).
    name: "dp-best-partial",
    args: {
      name: "best-partial",
      offerExpiresAfterSeconds: 60,
      mode: {
        kind: "bestWorker",
        scoringRule: { kind: "expression", expression: "1" },
        scoringRuleOptions: { descendingOrder: false },
      },
    },
  },
  {
    type: "ClassificationPolicy",
    // Every worker-selector attachment kind: the selectors come back with expedite false and status active.
    name: "cp-selectors",
    args: {
      name: "selectors",
      workerSelectorAttachments: [
        { kind: "static", workerSelector: { key: "Lang", labelOperator: "equal", value: "en" } },
        {
          kind: "conditional",
          condition: { kind: "expression", expression: "job.VIP = true" },
          workerSelectors: [{ key: "Tier", labelOperator: "greaterThanOrEqual", value: 2 }],
        },
        { kind: "passThrough", key: "Region", labelOperator: "equal" },
        {
          kind: "ruleEngine",
          rule: { kind: "static", value: [{ key: "Skill", labelOperator: "greaterThan", value: 5 }] },
        },
        {
          kind: "weightedAllocation",
          allocations: [
            { weight: 0.3, workerSelectors: [{ key: "Site", labelOperator: "equal", value: "north" }] },
            { weight: 0.7, workerSelectors: [{ key: "Site", labelOperator: "equal", value: "south" }] },
          ],
        },
      ],
    },
  },
  {
    type: "ExceptionPolicy",
    name: "ep-manual",
    args: {
      name: "manual",
      exceptionRules: [
        {
          id: "slow",
          trigger: { kind: "waitTime", thresholdSeconds: 120 },
          // Answered with {"expedite": false, "status": "active", ...} on each selector.
          actions: [
            {
              kind: "manualReclassify",
              priority: 9,
              workerSelectors: [{ key: "Senior", labelOperator: "equal", value: true }],
            },
          ],
        },
      ],
    },
  },
];

describe("service-filled defaults and accepted shapes through the engine", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({ name: "providers-service-shapes" });
    await h.stack({ programDir: PROGRAM_DIR }, { config: configFor(specs) });
  });

  afterAll(async () => {
    await h?.dispose();
  });

  it("preview accepts every configuration (no check failure), and up creates them", async () => {
    const preview = await h.previewJson();
    expect(preview.changeSummary).toEqual({ create: specs.length + 1 });
    const up = await h.up();
    expect(up.summary.result).toBe("succeeded");
    expect(up.summary.resourceChanges).toEqual({ create: specs.length + 1 });
  });

  it("the service's answers carry the filled-in defaults", async () => {
    const dp = (await h.request("GET", "/routing/distributionPolicies/dp-best")).body as Record<string, unknown>;
    expect(dp["mode"]).toMatchObject({
      bypassSelectors: false,
      scoringRule: { kind: "expression", language: "powerFx", expression: "1" },
      scoringRuleOptions: {
        scoringParameters: ["jobLabels", "workerSelectors"],
        isBatchScoringEnabled: false,
        descendingOrder: true,
      },
    });
    const ep = (await h.request("GET", "/routing/exceptionPolicies/ep-defaults")).body as {
      exceptionRules: Array<{ actions: Array<Record<string, unknown>> }>;
    };
    expect(ep.exceptionRules[0]?.actions[0]).toMatchObject({ kind: "manualReclassify", workerSelectors: [] });
    expect(ep.exceptionRules[0]?.actions[1]).toMatchObject({ kind: "reclassify", labelsToUpsert: {} });
    const cp = (await h.request("GET", "/routing/classificationPolicies/cp-list")).body as {
      workerSelectorAttachments: Array<Record<string, unknown>>;
    };
    expect(cp.workerSelectorAttachments[1]).toMatchObject({ workerSelector: { key: "VIP", status: "active" } });
  });

  it("worker selectors of policies and partial scoring options come back filled in (issue 22, facts 1 and 2)", async () => {
    const filled = { expedite: false, status: "active" };
    const cp = (await h.request("GET", "/routing/classificationPolicies/cp-selectors")).body as {
      workerSelectorAttachments: Array<Record<string, unknown>>;
    };
    const [st, cond, , , weighted] = cp.workerSelectorAttachments;
    expect(st?.["workerSelector"]).toMatchObject(filled);
    expect((cond?.["workerSelectors"] as unknown[])[0]).toMatchObject(filled);
    for (const al of weighted?.["allocations"] as Array<{ workerSelectors: unknown[] }>) {
      expect(al.workerSelectors[0]).toMatchObject(filled);
    }
    const ep = (await h.request("GET", "/routing/exceptionPolicies/ep-manual")).body as {
      exceptionRules: Array<{ actions: Array<{ workerSelectors: unknown[] }> }>;
    };
    expect(ep.exceptionRules[0]?.actions[0]?.workerSelectors).toEqual([
      { ...filled, key: "Senior", labelOperator: "equal", value: true },
    ]);
    const dp = (await h.request("GET", "/routing/distributionPolicies/dp-best-partial")).body as {
      mode: Record<string, unknown>;
    };
    expect(dp.mode["scoringRuleOptions"]).toEqual({
      scoringParameters: ["jobLabels", "workerSelectors"],
      isBatchScoringEnabled: false,
      descendingOrder: false,
    });
  });

  it("a second up changes nothing and sends no write", async () => {
    const { result, requests } = await h.track(() => h.up());
    expect(result.summary.resourceChanges).toEqual({ same: specs.length + 1 });
    const writes = requests.filter((r) => r.method !== "GET");
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  it("neither the next preview nor a refresh followed by a preview shows a difference", async () => {
    expect(changedSteps(await h.previewJson())).toEqual({});
    const refresh = await h.refresh();
    expect(refresh.summary.resourceChanges).toEqual({ same: specs.length + 1 });
    expect(changedSteps(await h.previewJson())).toEqual({});
  });
});
