import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeResource, readString, show, violation } from "./common";
import { forKinds } from "./helpers";

/** Without a fallback queue a job whose labels match no selector fails classification and is dropped. */
export const classificationFallbackQueue: ResourceValidationPolicy = {
  name: "classification-fallback-queue",
  description: "Every classification policy must name a fallback queue for jobs that no queue selector matches.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: { properties: {} },
  remediationSteps: "Set fallbackQueueId on the classification policy to a queue that staff watch.",
  validateResource: forKinds(["classificationPolicy"], (kind, args, report) => {
    const r = readString(args.props, "fallbackQueueId");
    const where = describeResource(kind, args.name);
    const fix = "set fallbackQueueId to the id of a queue (in this stack or listed as external in references-resolve).";
    if (r.state === "absent" || (r.state === "known" && r.value.trim() === "")) {
      report(violation(where, "fallbackQueueId", "must name a fallback queue.", fix));
    } else if (r.state === "wrongType") {
      report(violation(where, "fallbackQueueId", `must be a queue id string, got ${show(r.value)}.`, fix));
    }
  }),
};
