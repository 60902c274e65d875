import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  configOf,
  describeResource,
  field,
  isUnknown,
  items,
  KIND_LABEL,
  kindOf,
  ownId,
  readString,
  show,
  violation,
  type JobRouterKind,
  type SchemaWithDefaults,
} from "./common";

/** Config key per target kind (the REST collection names). */
const EXTERNAL_KEY: Record<JobRouterKind, keyof ReferencesConfig["externalIds"]> = {
  distributionPolicy: "distributionPolicies",
  queue: "queues",
  classificationPolicy: "classificationPolicies",
  exceptionPolicy: "exceptionPolicies",
};

export interface ReferencesConfig {
  externalIds: {
    distributionPolicies: string[];
    queues: string[];
    classificationPolicies: string[];
    exceptionPolicies: string[];
  };
}

const idList = { type: "array", items: { type: "string" } } as const;
const schema: SchemaWithDefaults = {
  properties: {
    externalIds: {
      type: "object",
      properties: {
        distributionPolicies: idList,
        queues: idList,
        classificationPolicies: idList,
        exceptionPolicies: idList,
      },
      additionalProperties: false,
      default: { distributionPolicies: [], queues: [], classificationPolicies: [], exceptionPolicies: [] },
      description: "Ids of Job Router objects managed outside this stack that references may point at, by collection.",
    },
  },
};

function withArticle(label: string): string {
  return `${/^[aeiou]/.test(label) ? "an" : "a"} ${label}`;
}

/** One reference from a stack object to another Job Router object. */
export interface Reference {
  from: PolicyResource;
  fromKind: JobRouterKind;
  /** Path of the referencing field, e.g. `queueSelectorAttachments[0].queueSelector.value`. */
  path: string;
  /** The top-level input the reference sits in, for the engine's property dependencies. */
  topLevel: string;
  target: JobRouterKind;
  value: string | "unknown";
}

/** A queue selector `{ key: "Id", labelOperator: "equal", value }` names a queue by id (the service adds the `Id` label to queues). */
function queueIdSelector(sel: unknown): string | "unknown" | undefined {
  const key = readString(sel, "key");
  const op = readString(sel, "labelOperator");
  if (key.state !== "known" || key.value !== "Id" || op.state !== "known" || op.value !== "equal") return undefined;
  const v = readString(sel, "value");
  if (v.state === "unknown") return "unknown";
  return v.state === "known" ? v.value : undefined;
}

/** Every reference a Job Router object makes, as listed in the issue: queue → policies, classification → queues, exception actions → queue / classification policy. */
export function referencesOf(r: PolicyResource, kind: JobRouterKind): Reference[] {
  const out: Reference[] = [];
  const add = (path: string, topLevel: string, target: JobRouterKind, value: unknown): void => {
    if (isUnknown(value)) out.push({ from: r, fromKind: kind, path, topLevel, target, value: "unknown" });
    else if (typeof value === "string" && value !== "")
      out.push({ from: r, fromKind: kind, path, topLevel, target, value });
  };
  const p = r.props;
  switch (kind) {
    case "queue":
      add("distributionPolicyId", "distributionPolicyId", "distributionPolicy", field(p, "distributionPolicyId"));
      add("exceptionPolicyId", "exceptionPolicyId", "exceptionPolicy", field(p, "exceptionPolicyId"));
      break;
    case "classificationPolicy": {
      add("fallbackQueueId", "fallbackQueueId", "queue", field(p, "fallbackQueueId"));
      const top = "queueSelectorAttachments";
      items(field(p, top)).forEach((a, i) => {
        const base = `${top}[${i}]`;
        const selectors: Array<[string, unknown]> = [];
        const kindA = field(a, "kind");
        if (kindA === "static") selectors.push([`${base}.queueSelector`, field(a, "queueSelector")]);
        if (kindA === "conditional") {
          items(field(a, "queueSelectors")).forEach((s, j) => selectors.push([`${base}.queueSelectors[${j}]`, s]));
        }
        if (kindA === "weightedAllocation") {
          items(field(a, "allocations")).forEach((al, k) =>
            items(field(al, "queueSelectors")).forEach((s, j) =>
              selectors.push([`${base}.allocations[${k}].queueSelectors[${j}]`, s]),
            ),
          );
        }
        for (const [path, sel] of selectors) {
          const v = queueIdSelector(sel);
          if (v !== undefined) add(`${path}.value`, top, "queue", v);
        }
      });
      break;
    }
    case "exceptionPolicy":
      items(field(p, "exceptionRules")).forEach((rule, i) =>
        items(field(rule, "actions")).forEach((action, j) => {
          const base = `exceptionRules[${i}].actions[${j}]`;
          const k = field(action, "kind");
          if (k === "manualReclassify") add(`${base}.queueId`, "exceptionRules", "queue", field(action, "queueId"));
          if (k === "reclassify") {
            add(
              `${base}.classificationPolicyId`,
              "exceptionRules",
              "classificationPolicy",
              field(action, "classificationPolicyId"),
            );
          }
        }),
      );
      break;
    case "distributionPolicy":
      break;
  }
  return out;
}

/** A dangling id is accepted by `pulumi preview` and fails only when the service sees it during `pulumi up`. */
export const referencesResolve: StackValidationPolicy = {
  name: "references-resolve",
  description:
    "Every id a Job Router object refers to (distribution, exception and classification policies, queues) must belong to an object in this stack or be listed as external.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: schema,
  remediationSteps:
    "Fix the id, create the object in this stack, or list the id under externalIds.<collection> of references-resolve in the policy config.",
  validateStack: (args, report) => {
    const cfg = configOf<ReferencesConfig>(schema, args);
    const byKind = new Map<JobRouterKind, Set<string>>();
    const objects: Array<{ r: PolicyResource; kind: JobRouterKind }> = [];
    for (const r of args.resources) {
      const kind = kindOf(r.type);
      if (kind === undefined) continue;
      objects.push({ r, kind });
      const id = ownId(kind, r.props, r.name);
      if (id.state === "known") {
        const set = byKind.get(kind) ?? new Set<string>();
        set.add(id.value);
        byKind.set(kind, set);
      }
    }
    for (const { r, kind } of objects) {
      for (const ref of referencesOf(r, kind)) {
        if (ref.value === "unknown") continue; // computed during preview; checked again at the end of `pulumi up`
        if (byKind.get(ref.target)?.has(ref.value)) continue;
        const externalKey = EXTERNAL_KEY[ref.target];
        if ((cfg.externalIds[externalKey] ?? []).includes(ref.value)) continue;
        // The engine knows which resources flowed into each input: a reference built from the output
        // of a target whose own id is still computed resolves to that target.
        const deps = r.propertyDependencies[ref.topLevel] ?? [];
        const computedTarget = deps.some(
          (d) => kindOf(d.type) === ref.target && ownId(ref.target, d.props, d.name).state === "unknown",
        );
        if (computedTarget) continue;
        report(
          violation(
            describeResource(kind, r.name),
            ref.path,
            `${show(ref.value)} must be the id of ${withArticle(KIND_LABEL[ref.target])} in this stack or be listed in externalIds.${externalKey}; no such ${KIND_LABEL[ref.target]} was found, so the reference would dangle once applied.`,
            `fix the id, add the ${KIND_LABEL[ref.target]} to the stack, or add ${show(ref.value)} to externalIds.${externalKey} of references-resolve in the policy config.`,
          ),
          r.urn,
        );
      }
    }
  },
};
