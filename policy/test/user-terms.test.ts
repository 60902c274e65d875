// Violations of objects a ContactCenter made speak the component's language: its name, the object's key,
// its argument names, with the REST field in brackets.

import { describe, expect, it } from "vitest";
import { queueHasExceptionPolicy } from "../policies/queueExceptionPolicy";
import { inUserTerms } from "../policies/userTerms";
import { makeResourceArgs, urnOf } from "./fixtures";

const QUEUE = "pulumi-nodejs:dynamic/jobrouter:RouterQueue";
const CC = "jobrouter:index:ContactCenter";

function run(name: string, parent: string | undefined): string[] {
  const args = makeResourceArgs(
    { type: QUEUE, name, urn: urnOf(QUEUE, name, parent ? CC : undefined) },
    {
      queueId: name,
      distributionPolicyId: "dp",
    },
  );
  if (parent !== undefined) args.opts.parent = parent;
  const found: string[] = [];
  void queueHasExceptionPolicy.validateResource(args, (m) => found.push(m));
  return found;
}

describe("policy messages in the user's terms", () => {
  it("a queue of a ContactCenter is named by component and key, with the argument name", () => {
    expect(run("contoso-queue-legacy", urnOf(CC, "contoso"))).toEqual([
      'ContactCenter "contoso" queues.legacy.exceptionPolicy [exceptionPolicyId]: must name an exception policy. ' +
        "Fix: set exceptionPolicy to an exception policy whose rules include a waitTime trigger. " +
        "(resource contoso-queue-legacy)",
    ]);
  });

  it("a queue declared on its own keeps the resource's terms", () => {
    expect(run("legacy", undefined)).toEqual([
      'queue "legacy" exceptionPolicyId: must name an exception policy. Fix: set exceptionPolicyId to an exception policy whose rules include a waitTime trigger.',
    ]);
  });

  it("nested id fields are translated too; other messages pass through", () => {
    const args = { name: "cc-ep-escalate", opts: { parent: urnOf(CC, "cc") } };
    expect(
      inUserTerms("exceptionPolicy", args, 'exception policy "cc-ep-escalate" exceptionRules[0].actions[1].queueId: x'),
    ).toBe(
      'ContactCenter "cc" exceptionPolicies.escalate.exceptionRules[0].actions[1].queue [queueId]: x (resource cc-ep-escalate)',
    );
    expect(inUserTerms("exceptionPolicy", args, "something else")).toBe("something else");
  });
});
