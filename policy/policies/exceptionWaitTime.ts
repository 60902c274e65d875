import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  configOf,
  describeResource,
  field,
  isUnknown,
  items,
  readNumber,
  readString,
  show,
  violation,
  type SchemaWithDefaults,
} from "./common";
import { forKinds } from "./helpers";

export interface ExceptionWaitTimeConfig {
  maxThresholdSeconds: number;
}

const schema: SchemaWithDefaults = {
  properties: {
    maxThresholdSeconds: {
      type: "number",
      minimum: 1,
      default: 900,
      description: "Longest allowed waitTime trigger threshold, in seconds.",
    },
  },
};

/** A waitTime trigger with at least one action is what bounds how long a job can wait in a queue. */
export const exceptionPolicyWaitTime: ResourceValidationPolicy = {
  name: "exception-policy-wait-time",
  description:
    "Every exception policy must have a waitTime rule with at least one action and a threshold no longer than the configured maximum.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: schema,
  remediationSteps:
    'Add an exception rule { id, trigger: { kind: "waitTime", thresholdSeconds }, actions: [...] } with thresholdSeconds <= maxThresholdSeconds.',
  validateResource: forKinds(["exceptionPolicy"], (kind, args, report) => {
    const cfg = configOf<ExceptionWaitTimeConfig>(schema, args);
    const where = describeResource(kind, args.name);
    const rules = field(args.props, "exceptionRules");
    if (isUnknown(rules)) return;
    const list = items(rules);
    let waitRules = 0;
    list.forEach((rule, i) => {
      const trigger = field(rule, "trigger");
      if (isUnknown(trigger)) {
        waitRules++; // Computed during preview: `pulumi up` re-checks it with the real value.
        return;
      }
      const kindR = readString(trigger, "kind");
      if (kindR.state === "unknown") {
        waitRules++;
        return;
      }
      if (kindR.state !== "known" || kindR.value !== "waitTime") return;
      waitRules++;
      const path = `exceptionRules[${i}]`;
      const t = readNumber(trigger, "thresholdSeconds");
      if (
        t.state === "absent" ||
        t.state === "wrongType" ||
        (t.state === "known" && !(t.value > 0 && t.value <= cfg.maxThresholdSeconds))
      ) {
        const got = t.state === "absent" ? "is missing" : `is ${show(t.value)}`;
        report(
          violation(
            where,
            `${path}.trigger.thresholdSeconds`,
            `${got} but must be a number of seconds in (0, ${cfg.maxThresholdSeconds}].`,
            `set thresholdSeconds to at most ${cfg.maxThresholdSeconds}, or raise maxThresholdSeconds of exception-policy-wait-time in the policy config.`,
          ),
        );
      }
      const actions = field(rule, "actions");
      if (!isUnknown(actions) && items(actions).length === 0) {
        report(
          violation(
            where,
            `${path}.actions`,
            "must hold at least one action, or the waitTime trigger fires and nothing happens.",
            "add a reclassify, manualReclassify or cancel action to the rule.",
          ),
        );
      }
    });
    if (waitRules === 0) {
      report(
        violation(
          where,
          "exceptionRules",
          'must include a rule whose trigger is { kind: "waitTime" }; without one jobs can wait without bound.',
          'add a rule with trigger { kind: "waitTime", thresholdSeconds: <seconds> } and an action that moves or cancels the job.',
        ),
      );
    }
  }),
};
