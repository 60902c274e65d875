import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, describeResource, field, readNumber, show, violation, type SchemaWithDefaults } from "./common";
import { forKinds } from "./helpers";

export interface ConcurrentOffersConfig {
  maxConcurrentOffersCeiling: number;
}

const schema: SchemaWithDefaults = {
  properties: {
    maxConcurrentOffersCeiling: {
      type: "integer",
      minimum: 1,
      default: 10,
      description: "Largest allowed mode.maxConcurrentOffers.",
    },
  },
};

/** The service's default for both counts when they are omitted (spec default 1). */
const SERVICE_DEFAULT = 1;

/** Offering one job to dozens of workers at once makes them race and most of them lose. */
export const concurrentOffersBounds: ResourceValidationPolicy = {
  name: "concurrent-offers-bounds",
  description:
    "A distribution mode's concurrent offers must be whole numbers of at least 1, with minConcurrentOffers <= maxConcurrentOffers <= the configured ceiling.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: schema,
  remediationSteps:
    "Lower mode.maxConcurrentOffers to the ceiling (or raise maxConcurrentOffersCeiling in the policy config) and keep minConcurrentOffers <= maxConcurrentOffers.",
  validateResource: forKinds(["distributionPolicy"], (kind, args, report) => {
    const cfg = configOf<ConcurrentOffersConfig>(schema, args);
    const where = describeResource(kind, args.name);
    const mode = field(args.props, "mode");
    if (mode === undefined || mode === null) return;
    const min = readNumber(mode, "minConcurrentOffers");
    const max = readNumber(mode, "maxConcurrentOffers");
    for (const [name, r] of [
      ["minConcurrentOffers", min],
      ["maxConcurrentOffers", max],
    ] as const) {
      if (r.state === "wrongType" || (r.state === "known" && !(Number.isInteger(r.value) && r.value >= 1))) {
        report(
          violation(
            where,
            `mode.${name}`,
            `must be a whole number >= 1, got ${show(r.value)}.`,
            `set mode.${name} to a whole number >= 1.`,
          ),
        );
      }
    }
    if (max.state === "known" && max.value > cfg.maxConcurrentOffersCeiling) {
      report(
        violation(
          where,
          "mode.maxConcurrentOffers",
          `is ${max.value} but must be at most ${cfg.maxConcurrentOffersCeiling}.`,
          `lower mode.maxConcurrentOffers to ${cfg.maxConcurrentOffersCeiling} or less, or raise maxConcurrentOffersCeiling of concurrent-offers-bounds in the policy config.`,
        ),
      );
    }
    if (min.state === "unknown" || max.state === "unknown") return;
    const minV = min.state === "known" ? min.value : SERVICE_DEFAULT;
    const maxV = max.state === "known" ? max.value : SERVICE_DEFAULT;
    if ((min.state === "known" || max.state === "known") && minV > maxV) {
      report(
        violation(
          where,
          "mode.minConcurrentOffers",
          `is ${minV} but must not exceed mode.maxConcurrentOffers (${maxV}${max.state === "known" ? "" : ", the service default"}).`,
          "lower mode.minConcurrentOffers or raise mode.maxConcurrentOffers.",
        ),
      );
    }
  }),
};
