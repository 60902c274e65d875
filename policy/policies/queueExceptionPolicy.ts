import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeResource, readString, show, violation } from "./common";
import { forKinds } from "./helpers";

/** Without an exception policy a queue has no escape hatch: a job with no matching worker waits forever. */
export const queueHasExceptionPolicy: ResourceValidationPolicy = {
  name: "queue-has-exception-policy",
  description: "Every queue must name an exception policy so that waiting jobs have an escape hatch.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: { properties: {} },
  remediationSteps:
    "Set exceptionPolicyId on the queue to an exception policy with a waitTime trigger (for example one that reclassifies or cancels jobs).",
  validateResource: forKinds(["queue"], (kind, args, report) => {
    const r = readString(args.props, "exceptionPolicyId");
    const fix = "set exceptionPolicyId to an exception policy whose rules include a waitTime trigger.";
    const where = describeResource(kind, args.name);
    if (r.state === "absent" || (r.state === "known" && r.value.trim() === "")) {
      report(violation(where, "exceptionPolicyId", "must name an exception policy.", fix));
    } else if (r.state === "wrongType") {
      report(
        violation(where, "exceptionPolicyId", `must be an exception policy id string, got ${show(r.value)}.`, fix),
      );
    }
  }),
};
