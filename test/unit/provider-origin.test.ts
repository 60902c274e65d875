// Check failures of an object a ContactCenter made name it in the component's terms; the origin is never
// part of the checked inputs (so never in state or diffs).

import { describe, expect, it } from "vitest";
import { checkInputs } from "../../provider/check";
import { componentPath, inComponentTerms } from "../../provider/origin";

const viaConfig = {
  config: (k: string) =>
    k === "jobrouter:connectionString"
      ? `endpoint=https://x.communication.azure.com/;accesskey=${Buffer.alloc(32, 3).toString("base64")}`
      : undefined,
  env: () => undefined,
};

describe("component terms", () => {
  it("translates id fields to the component's argument names, keeping the REST field in brackets", () => {
    expect(componentPath("exceptionPolicyId")).toBe("exceptionPolicy [exceptionPolicyId]");
    expect(componentPath("exceptionRules[0].actions[1].queueId")).toBe("exceptionRules[0].actions[1].queue [queueId]");
    expect(componentPath("prioritizationRule.expression")).toBe("prioritizationRule.expression");
    expect(inComponentTerms('ContactCenter "c" queues.q', "", "body: x")).toBe('ContactCenter "c" queues.q: body: x');
  });

  it("check failures carry the origin; the checked inputs do not", () => {
    const out = checkInputs(
      "queues",
      {
        queueId: "contoso-legacy",
        componentOrigin: 'ContactCenter "contoso" queues.legacy',
        distributionPolicyId: "dp",
        exceptionPolicyId: "",
      },
      viaConfig,
    );
    expect(out.failures).toEqual([
      {
        property: "",
        reason:
          'ContactCenter "contoso" queues.legacy.exceptionPolicy [exceptionPolicyId]: must not be empty [rule: nonEmpty]',
      },
    ]);
    expect(out.inputs).not.toHaveProperty("componentOrigin");
  });

  it("warnings carry it too", () => {
    const out = checkInputs(
      "classificationPolicies",
      {
        classificationPolicyId: "c",
        componentOrigin: 'ContactCenter "contoso" classificationPolicies.triage',
        prioritizationRule: { kind: "expression", expression: "Iff(job.vip, 1, 2)" },
      },
      viaConfig,
    );
    expect(out.failures).toEqual([]);
    expect(out.warnings?.[0]).toMatch(
      /^ContactCenter "contoso" classificationPolicies\.triage\.prioritizationRule\.expression: calls Iff\(\)/,
    );
  });
});
