import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, describeResource, field, ownId, readBoolean, violation, type SchemaWithDefaults } from "./common";
import { forKinds } from "./helpers";

export interface BypassSelectorsConfig {
  allowedPolicyIds: string[];
}

const schema: SchemaWithDefaults = {
  properties: {
    allowedPolicyIds: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Distribution policy ids that may set mode.bypassSelectors: true.",
    },
  },
};

/** bypassSelectors ignores the workers' label selectors: a job can be offered to a worker without the skill. */
export const bypassSelectorsAllowlist: ResourceValidationPolicy = {
  name: "bypass-selectors-allowlist",
  description: "Only distribution policies listed in the config may set mode.bypassSelectors to true.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: schema,
  remediationSteps:
    "Remove mode.bypassSelectors (or set it to false), or add the policy's id to allowedPolicyIds of bypass-selectors-allowlist.",
  validateResource: forKinds(["distributionPolicy"], (kind, args, report) => {
    const cfg = configOf<BypassSelectorsConfig>(schema, args);
    const bypass = readBoolean(field(args.props, "mode"), "bypassSelectors");
    if (bypass.state !== "known" || !bypass.value) return;
    const id = ownId(kind, args.props, args.name);
    // An id computed during preview is checked again by `pulumi up` before the resource is created.
    if (id.state === "unknown") return;
    const idText = id.state === "known" ? id.value : args.name;
    if (cfg.allowedPolicyIds.includes(idText)) return;
    report(
      violation(
        describeResource(kind, args.name),
        "mode.bypassSelectors",
        `is true, which offers jobs to workers regardless of their label selectors, but "${idText}" is not in allowedPolicyIds.`,
        `remove mode.bypassSelectors, or add "${idText}" to allowedPolicyIds of bypass-selectors-allowlist in the policy config.`,
      ),
    );
  }),
};
