// Check failures of an object a ContactCenter made name it in the component's terms; the origin is never
// part of the checked inputs (so never in state or diffs).

import { describe, expect, it } from "vitest";
import { checkInputs } from "../../provider/check";
import { componentPath, inComponentTerms, refusalInComponentTerms } from "../../provider/origin";

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

  it("check failures carry the origin; the checked inputs keep it for create's refusals", () => {
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
    expect(out.inputs.componentOrigin).toBe('ContactCenter "contoso" queues.legacy');
  });

  it("keeps the origin of the create (never a diff), like the owner", () => {
    const news = { queueId: "q", componentOrigin: 'ContactCenter "c" queues.new', distributionPolicyId: "dp" };
    // An existing resource whose state predates the origin: none is added, so the engine sees no change.
    expect(
      checkInputs("queues", news, viaConfig, { queueId: "q", distributionPolicyId: "dp" }).inputs,
    ).not.toHaveProperty("componentOrigin");
    const olds = { queueId: "q", componentOrigin: 'ContactCenter "c" queues.old', distributionPolicyId: "dp" };
    expect(checkInputs("queues", news, viaConfig, olds).inputs.componentOrigin).toBe('ContactCenter "c" queues.old');
  });

  it("create refusals name the component, the key and its argument names", () => {
    const message =
      'jobrouter: cannot adopt queue "q" for RouterQueue "c-queue-k": `adoptExisting: true` adopts an object only ' +
      "when it already matches this program, and it differs (live → declared):\n" +
      '  distributionPolicyId: "a" → "b"\n  labels.tier: 1 → 2\nEither change the program to match.';
    expect(refusalInComponentTerms('ContactCenter "c" queues.k', message)).toBe(
      'jobrouter: ContactCenter "c" queues.k: cannot adopt queue "q" for RouterQueue "c-queue-k": `adoptExisting: ' +
        "true` adopts an object only when it already matches this program, and it differs (live → declared):\n" +
        '  distributionPolicy [distributionPolicyId]: "a" → "b"\n  labels.tier: 1 → 2\nEither change the program to match.',
    );
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
