import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  configOf,
  describeResource,
  JOB_ROUTER_KINDS,
  OWN_ID_FIELD,
  ownId,
  show,
  violation,
  type SchemaWithDefaults,
} from "./common";
import { forKinds } from "./helpers";

export interface IdNamingConfig {
  pattern: string;
}

/** Lower-case kebab-case, 1 to 64 characters, starting with a letter and ending with a letter or digit. */
export const DEFAULT_ID_PATTERN = "^[a-z](?:[a-z0-9-]{0,62}[a-z0-9])?$";

const schema: SchemaWithDefaults = {
  properties: {
    pattern: {
      type: "string",
      default: DEFAULT_ID_PATTERN,
      description: "JavaScript regular expression every Job Router id must match.",
    },
  },
};

/** Ids show up in job routing, dashboards and exception actions: one convention keeps them greppable. */
export const idNamingPattern: ResourceValidationPolicy = {
  name: "id-naming-pattern",
  description:
    "Job Router ids (distribution policies, queues, classification and exception policies) must match the configured naming pattern.",
  enforcementLevel: "advisory",
  severity: "low",
  configSchema: schema,
  remediationSteps: "Rename the id (the own-id input, or the resource name when it is omitted) to match the pattern.",
  validateResource: forKinds(JOB_ROUTER_KINDS, (kind, args, report) => {
    const cfg = configOf<IdNamingConfig>(schema, args);
    const where = describeResource(kind, args.name);
    let re: RegExp;
    try {
      re = new RegExp(cfg.pattern);
    } catch {
      report(
        violation(
          where,
          "",
          `the id-naming-pattern config "pattern" is not a valid regular expression: ${show(cfg.pattern)}.`,
          "fix the pattern in the policy config.",
        ),
      );
      return;
    }
    const id = ownId(kind, args.props, args.name);
    if (id.state === "unknown" || id.state === "absent") return;
    const path = OWN_ID_FIELD[kind];
    if (id.state === "wrongType") {
      report(
        violation(
          where,
          path,
          `must be a string id, got ${show(id.value)}.`,
          `set ${path} to a string matching ${cfg.pattern}.`,
        ),
      );
      return;
    }
    if (!re.test(id.value)) {
      report(
        violation(
          where,
          path,
          `id ${show(id.value)} must match ${cfg.pattern}.`,
          `set ${path} (or rename the resource, whose name is the default id) to match, or change "pattern" of id-naming-pattern in the policy config.`,
        ),
      );
    }
  }),
};
