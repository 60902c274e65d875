// Collections keep the program's order in checked inputs (what the engine diffs and the policy pack reads),
// while comparisons ignore the order of collections the service treats as sets.

import { describe, expect, it } from "vitest";
import { canonicalSpec } from "../../provider/canonical";
import { checkInputs } from "../../provider/check";
import { diffInputs } from "../../provider/diff";

const sources = {
  config: (key: string) =>
    key === "jobrouter:connectionString"
      ? `endpoint=https://x.communication.azure.com/;accesskey=${Buffer.alloc(32, 3).toString("base64")}`
      : undefined,
  env: () => undefined,
};
const rule = (id: string, seconds: number): Record<string, unknown> => ({
  id,
  trigger: { kind: "waitTime", thresholdSeconds: seconds },
  actions: [{ kind: "cancel" }],
});

describe("program order", () => {
  it("checked inputs keep exception rules as written; the canonical comparison form sorts them", () => {
    const body = { exceptionRules: [rule("z-first", 60), rule("a-second", 30)] };
    const checked = checkInputs("exceptionPolicies", { exceptionPolicyId: "ep", ...body }, sources);
    expect((checked.inputs["exceptionRules"] as Array<{ id: string }>).map((r) => r.id)).toEqual([
      "z-first",
      "a-second",
    ]);
    const sorted = canonicalSpec("exceptionPolicies", body, "ep");
    expect((sorted["exceptionRules"] as Array<{ id: string }>).map((r) => r.id)).toEqual(["a-second", "z-first"]);
    // A failure is reported at the program's index too.
    const bad = checkInputs(
      "exceptionPolicies",
      { exceptionPolicyId: "ep", exceptionRules: [rule("z-first", -1), rule("a-second", 30)] },
      sources,
    );
    expect(bad.failures[0]?.reason).toMatch(/^exceptionRules\[0\]\.trigger\.thresholdSeconds: must be >= 0/);
  });

  it("reordering alone is no change", () => {
    const olds = checkInputs(
      "exceptionPolicies",
      { exceptionPolicyId: "ep", exceptionRules: [rule("z", 60), rule("a", 30)] },
      sources,
    ).inputs;
    const news = checkInputs(
      "exceptionPolicies",
      { exceptionPolicyId: "ep", exceptionRules: [rule("a", 30), rule("z", 60)] },
      sources,
    ).inputs;
    expect(diffInputs("exceptionPolicies", "ep", olds, news)).toEqual({ changes: false });
  });
});
