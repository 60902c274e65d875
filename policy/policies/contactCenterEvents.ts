import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configOf, field, isEventSubscriptionType, TYPES, violation, type SchemaWithDefaults } from "./common";

export interface ContactCenterEventsConfig {
  requireDeadLetter: boolean;
}

const schema: SchemaWithDefaults = {
  properties: {
    requireDeadLetter: {
      type: "boolean",
      default: true,
      description: "Also require a dead-letter destination on the ContactCenter's Event Grid subscription.",
    },
  },
};

function descendsFrom(r: PolicyResource, ancestorUrn: string): boolean {
  const seen = new Set<string>();
  for (let p = r.parent; p !== undefined && !seen.has(p.urn); p = p.parent) {
    if (p.urn === ancestorUrn) return true;
    seen.add(p.urn);
  }
  return false;
}

/** True when the subscription sets either dead-letter field (a computed value counts: it is set). */
function hasDeadLetter(r: PolicyResource): boolean {
  for (const key of ["deadLetterDestination", "deadLetterWithResourceIdentity"]) {
    const v = field(r.props, key);
    if (v !== undefined && v !== null) return true;
  }
  return false;
}

/** Job Router events (offers, exceptions, classification failures) are how a contact center notices trouble. */
export const contactCenterEventDeadLetter: StackValidationPolicy = {
  name: "contact-center-event-dead-letter",
  description:
    "Every ContactCenter must deliver Job Router events through an Event Grid subscription that has a dead-letter destination.",
  enforcementLevel: "advisory",
  severity: "medium",
  configSchema: schema,
  remediationSteps:
    "Pass `events` to the ContactCenter (it creates the Event Grid system topic and subscription) with `deadLetter` set to a storage blob container.",
  validateStack: (args, report) => {
    const cfg = configOf<ContactCenterEventsConfig>(schema, args);
    for (const cc of args.resources.filter((r) => r.type === TYPES.contactCenter)) {
      const subs = args.resources.filter((r) => isEventSubscriptionType(r.type) && descendsFrom(r, cc.urn));
      if (subs.length === 0) {
        report(
          violation(
            `ContactCenter "${cc.name}"`,
            "events",
            "must create an Event Grid subscription for the Communication Services events; none was found among its children.",
            "pass `events: { destination: {...}, deadLetter: {...} }` to the ContactCenter.",
          ),
          cc.urn,
        );
        continue;
      }
      if (!cfg.requireDeadLetter) continue;
      for (const sub of subs.filter((s) => !hasDeadLetter(s))) {
        report(
          violation(
            `Event Grid subscription "${sub.name}" of ContactCenter "${cc.name}"`,
            "deadLetterDestination",
            "must be set, or events that cannot be delivered are dropped after the retries.",
            "pass `events.deadLetter` (a storage blob container) to the ContactCenter, or set requireDeadLetter: false in the policy config.",
          ),
          sub.urn,
        );
      }
    }
  },
};
