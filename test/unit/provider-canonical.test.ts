import { describe, expect, it } from "vitest";
import { canonicalSpec, derivedActionId, withDerivedActionIds } from "../../provider/canonical";
import { UNKNOWN, stableJson } from "../../provider/json";

describe("canonicalSpec: server-side noise", () => {
  it("drops the Id label the service adds to a queue, but not a different one", () => {
    expect(canonicalSpec("queues", { labels: { Id: "q1", tier: "gold" } }, "q1")).toEqual({ labels: { tier: "gold" } });
    expect(canonicalSpec("queues", { labels: { Id: "other" } }, "q1")).toEqual({ labels: { Id: "other" } });
    // Only the Id label: nothing is left, which equals "no labels".
    expect(canonicalSpec("queues", { labels: { Id: "q1" } }, "q1")).toEqual({});
  });

  it("treats absent, null and empty collections alike, and drops id/etag", () => {
    const fromServer = {
      id: "cp",
      etag: '"x"',
      name: "n",
      fallbackQueueId: null,
      queueSelectorAttachments: [],
      workerSelectorAttachments: [],
    };
    expect(canonicalSpec("classificationPolicies", fromServer, "cp")).toEqual({ name: "n" });
    expect(canonicalSpec("queues", { labels: { a: null } }, "q")).toEqual({});
    expect(canonicalSpec("exceptionPolicies", { exceptionRules: [] }, "e")).toEqual({});
  });

  it("drops action ids it derived itself, keeps any other (a server GUID is drift)", () => {
    const spec = {
      exceptionRules: [
        {
          id: "r1",
          trigger: { kind: "waitTime", thresholdSeconds: 10 },
          actions: [
            { kind: "cancel", id: derivedActionId("r1", 0, "cancel") },
            { kind: "reclassify", id: "c90a7ba9-0000-0000-0000-000000000000" },
          ],
        },
      ],
    };
    expect(canonicalSpec("exceptionPolicies", spec, "e")).toEqual({
      exceptionRules: [
        {
          id: "r1",
          trigger: { kind: "waitTime", thresholdSeconds: 10 },
          actions: [{ kind: "cancel" }, { kind: "reclassify", id: "c90a7ba9-0000-0000-0000-000000000000" }],
        },
      ],
    });
  });

  it("compares documented defaults equal to not giving them", () => {
    const explicit = {
      mode: {
        kind: "bestWorker",
        minConcurrentOffers: 1,
        maxConcurrentOffers: 1,
        bypassSelectors: false,
        scoringRuleOptions: {
          batchSize: 20,
          isBatchScoringEnabled: false,
          descendingOrder: true,
          scoringParameters: ["workerSelectors", "jobLabels"],
        },
      },
    };
    expect(canonicalSpec("distributionPolicies", explicit, "d")).toEqual({ mode: { kind: "bestWorker" } });
    const rule = { prioritizationRule: { kind: "expression", language: "powerFx", expression: "1" } };
    expect(canonicalSpec("classificationPolicies", rule, "c")).toEqual({
      prioritizationRule: { kind: "expression", expression: "1" },
    });
  });

  it("drops read-only and default fields of worker selectors", () => {
    const ws = [
      {
        kind: "static",
        workerSelector: {
          key: "k",
          labelOperator: "equal",
          value: 1,
          expedite: false,
          status: "active",
          expiresAt: "2026-01-01T00:00:00Z",
        },
      },
    ];
    expect(canonicalSpec("classificationPolicies", { workerSelectorAttachments: ws }, "c")).toEqual({
      workerSelectorAttachments: [{ kind: "static", workerSelector: { key: "k", labelOperator: "equal", value: 1 } }],
    });
  });

  it("renames pre-GA kebab-case kinds", () => {
    expect(canonicalSpec("distributionPolicies", { mode: { kind: "longest-idle" } }, "d")).toEqual({
      mode: { kind: "longestIdle" },
    });
    const ep = {
      exceptionRules: [
        { id: "r", trigger: { kind: "wait-time", thresholdSeconds: 1 }, actions: [{ kind: "manual-reclassify" }] },
      ],
    };
    expect(canonicalSpec("exceptionPolicies", ep, "e")).toEqual({
      exceptionRules: [
        { id: "r", trigger: { kind: "waitTime", thresholdSeconds: 1 }, actions: [{ kind: "manualReclassify" }] },
      ],
    });
  });
});

describe("canonicalSpec: collections whose order the service ignores", () => {
  const a1 = { kind: "static", queueSelector: { key: "a", labelOperator: "equal", value: 1 } };
  const a2 = { kind: "passThrough", key: "lang", labelOperator: "equal" };
  const a3 = {
    kind: "conditional",
    condition: { kind: "static", value: true },
    queueSelectors: [
      { key: "x", labelOperator: "equal", value: 1 },
      { key: "y", labelOperator: "notEqual", value: 2 },
    ],
  };

  it("attachments and selectors compare equal in any order", () => {
    const one = canonicalSpec("classificationPolicies", { queueSelectorAttachments: [a1, a2, a3] }, "c");
    const a3reversed = { ...a3, queueSelectors: [...a3.queueSelectors].reverse() };
    const two = canonicalSpec("classificationPolicies", { queueSelectorAttachments: [a3reversed, a2, a1] }, "c");
    expect(stableJson(one)).toBe(stableJson(two));
  });

  it("exception rules are sorted by id; actions keep their order", () => {
    const r = (id: string): object => ({
      id,
      trigger: { kind: "queueLength", threshold: 1 },
      actions: [
        { kind: "cancel", note: "2" },
        { kind: "cancel", note: "1" },
      ],
    });
    const spec = canonicalSpec("exceptionPolicies", { exceptionRules: [r("b"), r("a")] }, "e");
    const rules = spec["exceptionRules"] as Array<{ id: string; actions: Array<{ note: string }> }>;
    expect(rules.map((x) => x.id)).toEqual(["a", "b"]);
    expect(rules[0]?.actions.map((x) => x.note)).toEqual(["2", "1"]);
  });

  it("weighted allocations and scoring parameters are sets too", () => {
    const alloc = (w: number, v: string): object => ({
      weight: w,
      queueSelectors: [{ key: "Id", labelOperator: "equal", value: v }],
    });
    const x = canonicalSpec(
      "classificationPolicies",
      { queueSelectorAttachments: [{ kind: "weightedAllocation", allocations: [alloc(0.3, "a"), alloc(0.7, "b")] }] },
      "c",
    );
    const y = canonicalSpec(
      "classificationPolicies",
      { queueSelectorAttachments: [{ kind: "weightedAllocation", allocations: [alloc(0.7, "b"), alloc(0.3, "a")] }] },
      "c",
    );
    expect(x).toEqual(y);
  });
});

describe("canonicalSpec: general properties", () => {
  it("keeps unknown values (preview) in place", () => {
    const spec = canonicalSpec("queues", { distributionPolicyId: UNKNOWN, labels: { a: UNKNOWN } }, UNKNOWN);
    expect(spec).toEqual({ distributionPolicyId: UNKNOWN, labels: { a: UNKNOWN } });
    expect(canonicalSpec("classificationPolicies", { queueSelectorAttachments: UNKNOWN }, "c")).toEqual({
      queueSelectorAttachments: UNKNOWN,
    });
  });

  it("is idempotent and ignores fields it does not manage", () => {
    const body = {
      name: "n",
      stray: 1,
      queueSelectorAttachments: [
        { kind: "ruleEngine", rule: { kind: "expression", language: "powerFx", expression: "1" } },
      ],
    };
    const once = canonicalSpec("classificationPolicies", body, "c");
    expect(once["stray"]).toBeUndefined();
    expect(canonicalSpec("classificationPolicies", once, "c")).toEqual(once);
  });

  it("leaves malformed shapes alone for check to report", () => {
    expect(canonicalSpec("distributionPolicies", { mode: "fast" }, "d")).toEqual({ mode: "fast" });
    expect(canonicalSpec("queues", { labels: [1, 2] }, "q")).toEqual({ labels: [1, 2] });
  });
});

describe("withDerivedActionIds", () => {
  it("fills missing action ids deterministically, keeps given ones, and round-trips through canonicalSpec", () => {
    const spec = {
      exceptionRules: [
        {
          id: "r",
          trigger: { kind: "queueLength", threshold: 3 },
          actions: [{ kind: "cancel" }, { kind: "reclassify", id: "mine" }],
        },
      ],
    };
    const sent = withDerivedActionIds("exceptionPolicies", spec);
    const actions = (sent["exceptionRules"] as Array<{ actions: Array<{ id: string }> }>)[0]?.actions;
    expect(actions?.map((a) => a.id)).toEqual(["r-0-cancel", "mine"]);
    expect(withDerivedActionIds("exceptionPolicies", spec)).toEqual(sent);
    expect(canonicalSpec("exceptionPolicies", sent, "e")).toEqual(canonicalSpec("exceptionPolicies", spec, "e"));
  });

  it("does nothing to other collections", () => {
    const q = { name: "x" };
    expect(withDerivedActionIds("queues", q)).toBe(q);
  });
});
