import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, describeResource, readNumber, show, violation, type SchemaWithDefaults } from "./common";
import { forKinds } from "./helpers";

export interface OfferExpiryConfig {
  minSeconds: number;
  maxSeconds: number;
  requireExplicit: boolean;
}

const schema: SchemaWithDefaults = {
  properties: {
    minSeconds: {
      type: "number",
      minimum: 1,
      default: 10,
      description: "Shortest allowed offer lifetime, in seconds.",
    },
    maxSeconds: {
      type: "number",
      minimum: 1,
      default: 120,
      description: "Longest allowed offer lifetime, in seconds.",
    },
    requireExplicit: {
      type: "boolean",
      default: true,
      description: "Require offerExpiresAfterSeconds to be set (the service documents no default).",
    },
  },
};

/** An offer that rings for an hour holds a job hostage to one worker who is not answering. */
export const offerExpiryBounds: ResourceValidationPolicy = {
  name: "offer-expiry-bounds",
  description: "A distribution policy's offerExpiresAfterSeconds must lie within the configured bounds.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: schema,
  remediationSteps:
    "Set offerExpiresAfterSeconds between minSeconds and maxSeconds, or change those bounds in the policy config.",
  validateResource: forKinds(["distributionPolicy"], (kind, args, report) => {
    const cfg = configOf<OfferExpiryConfig>(schema, args);
    const where = describeResource(kind, args.name);
    const range = `[${cfg.minSeconds}, ${cfg.maxSeconds}]`;
    const fix = `set offerExpiresAfterSeconds to a number of seconds in ${range}, or change minSeconds/maxSeconds of offer-expiry-bounds in the policy config.`;
    const r = readNumber(args.props, "offerExpiresAfterSeconds");
    switch (r.state) {
      case "unknown":
        return;
      case "absent":
        if (cfg.requireExplicit)
          report(violation(where, "offerExpiresAfterSeconds", `must be set and lie in ${range} seconds.`, fix));
        return;
      case "wrongType":
        report(violation(where, "offerExpiresAfterSeconds", `must be a number of seconds, got ${show(r.value)}.`, fix));
        return;
      case "known":
        if (!(r.value >= cfg.minSeconds && r.value <= cfg.maxSeconds)) {
          report(
            violation(where, "offerExpiresAfterSeconds", `is ${r.value} s but must lie in ${range} seconds.`, fix),
          );
        }
    }
  }),
};
