import { describe, expect, it } from "vitest";
import {
  activeSelectors,
  compareLabel,
  expireSelectors,
  materializeSelector,
  matchesAll,
  matchingQueueIds,
  nextExpiry,
} from "../../routing/selectors";

describe("label operators", () => {
  it("equal matches the same value and type only", () => {
    expect(compareLabel("en", "equal", "en")).toBe(true);
    expect(compareLabel("EN", "equal", "en")).toBe(false);
    expect(compareLabel(1, "equal", 1.0)).toBe(true);
    expect(compareLabel("1", "equal", 1)).toBe(false);
    expect(compareLabel(true, "equal", true)).toBe(true);
  });

  it("notEqual is the negation of equal for a present label", () => {
    expect(compareLabel("fr", "notEqual", "en")).toBe(true);
    expect(compareLabel("en", "notEqual", "en")).toBe(false);
    expect(compareLabel("1", "notEqual", 1)).toBe(true);
  });

  it("lessThan compares numbers numerically and strings ordinally", () => {
    expect(compareLabel(5, "lessThan", 10)).toBe(true);
    expect(compareLabel(10, "lessThan", 10)).toBe(false);
    expect(compareLabel("a", "lessThan", "b")).toBe(true);
    expect(compareLabel(5, "lessThan", "10")).toBe(false);
  });

  it("lessThanOrEqual includes equality", () => {
    expect(compareLabel(10, "lessThanOrEqual", 10)).toBe(true);
    expect(compareLabel(11, "lessThanOrEqual", 10)).toBe(false);
  });

  it("greaterThan compares numerically (9 < 10, unlike text order)", () => {
    expect(compareLabel(10, "greaterThan", 9)).toBe(true);
    expect(compareLabel(9, "greaterThan", 9)).toBe(false);
    expect(compareLabel(true, "greaterThan", false)).toBe(false);
  });

  it("greaterThanOrEqual includes equality", () => {
    expect(compareLabel(7, "greaterThanOrEqual", 7)).toBe(true);
    expect(compareLabel(6, "greaterThanOrEqual", 7)).toBe(false);
  });

  it("a missing label matches no operator, not even notEqual", () => {
    for (const op of [
      "equal",
      "notEqual",
      "lessThan",
      "lessThanOrEqual",
      "greaterThan",
      "greaterThanOrEqual",
    ] as const) {
      expect(matchesAll({ Other: 1 }, [{ key: "English", labelOperator: op, value: 5 }])).toBe(false);
    }
  });

  it("all selectors must match; none means match", () => {
    const labels = { English: 10, Chat: true };
    expect(matchesAll(labels, [])).toBe(true);
    expect(
      matchesAll(labels, [
        { key: "English", labelOperator: "greaterThanOrEqual", value: 7 },
        { key: "Chat", labelOperator: "equal", value: true },
      ]),
    ).toBe(true);
    expect(matchesAll(labels, [{ key: "English", labelOperator: "greaterThan", value: 10 }])).toBe(false);
  });

  it("selects queues by label, lowest id first", () => {
    const queues = [
      { id: "q-b", labels: { Id: "q-b", Region: "NA" } },
      { id: "q-a", labels: { Id: "q-a", Region: "NA" } },
      { id: "q-c", labels: { Id: "q-c", Region: "EU" } },
    ];
    expect(matchingQueueIds(queues, [{ key: "Region", labelOperator: "equal", value: "NA" }])).toEqual(["q-a", "q-b"]);
    expect(matchingQueueIds(queues, [{ key: "Id", labelOperator: "equal", value: "q-c" }])).toEqual(["q-c"]);
  });
});

describe("selector expiry", () => {
  const t0 = Date.parse("2024-01-01T00:00:00Z");

  it("materializes expiresAfterSeconds into expiresAt with the service's format and an active status", () => {
    const s = materializeSelector({ key: "k", labelOperator: "equal", value: 1, expiresAfterSeconds: 30 }, t0);
    expect(s).toEqual({
      key: "k",
      labelOperator: "equal",
      value: 1,
      expiresAfterSeconds: 30,
      // [rec: Python SDK] a job's worker selectors carry expedite false when not sent
      expedite: false,
      expiresAt: "2024-01-01T00:00:30.0000000+00:00",
      status: "active",
    });
  });

  it("an expired selector stops constraining matching and is reported once", () => {
    const s = [
      materializeSelector({ key: "a", labelOperator: "equal", value: 1, expiresAfterSeconds: 10 }, t0),
      materializeSelector({ key: "b", labelOperator: "equal", value: 2 }, t0),
    ];
    expect(activeSelectors(s, t0 + 9_999)).toHaveLength(2);
    expect(nextExpiry(s, t0)).toBe(t0 + 10_000);
    const first = expireSelectors(s, t0 + 10_000);
    expect(first.newlyExpired.map((x) => x.key)).toEqual(["a"]);
    expect(first.selectors[0]?.status).toBe("expired");
    expect(activeSelectors(first.selectors, t0 + 10_000).map((x) => x.key)).toEqual(["b"]);
    expect(expireSelectors(first.selectors, t0 + 20_000).newlyExpired).toEqual([]);
    expect(nextExpiry(first.selectors, t0 + 10_000)).toBeUndefined();
  });
});
