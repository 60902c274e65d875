// Violations of objects a ContactCenter made, in the component's terms: its name, the map key of the object
// and its own argument names, with the REST field in brackets (`ContactCenter "contoso"
// queues.legacy.exceptionPolicy [exceptionPolicyId]: ...`). Objects declared on their own keep the resource's terms.

import type { ResourceValidationArgs } from "@pulumi/policy";
import { describeResource, type JobRouterKind } from "./common";

const CONTACT_CENTER_TYPE = "jobrouter:index:ContactCenter";

/** The component's resource names are `<component>-<short>-<key>` (components/contactCenter.ts). */
const SHORT: Record<JobRouterKind, string> = {
  distributionPolicy: "dp",
  exceptionPolicy: "ep",
  classificationPolicy: "cp",
  queue: "queue",
};

const COLLECTION: Record<JobRouterKind, string> = {
  distributionPolicy: "distributionPolicies",
  exceptionPolicy: "exceptionPolicies",
  classificationPolicy: "classificationPolicies",
  queue: "queues",
};

/** REST fields that hold an id, and the ContactCenter argument that names the same thing by key. */
const ARGUMENT: Readonly<Record<string, string>> = {
  distributionPolicyId: "distributionPolicy",
  exceptionPolicyId: "exceptionPolicy",
  fallbackQueueId: "fallbackQueue",
  queueId: "queue",
  classificationPolicyId: "classificationPolicy",
};

/** The ContactCenter and key behind a resource, when a ContactCenter made it. */
export function componentOf(
  kind: JobRouterKind,
  args: Pick<ResourceValidationArgs, "name" | "opts">,
): { component: string; key: string } | undefined {
  const parent = args.opts?.parent;
  if (typeof parent !== "string" || !parent.includes(`::${CONTACT_CENTER_TYPE}::`)) return undefined;
  const component = parent.slice(parent.lastIndexOf("::") + 2);
  const prefix = `${component}-${SHORT[kind]}-`;
  if (!args.name.startsWith(prefix)) return undefined;
  return { component, key: args.name.slice(prefix.length) };
}

/** `exceptionRules[0].actions[1].queueId` → `exceptionRules[0].actions[1].queue [queueId]`. */
function translatePath(path: string): string {
  const m = /^(.*?)([A-Za-z]+)$/.exec(path);
  if (m === null) return path;
  const argument = ARGUMENT[m[2] ?? ""];
  return argument === undefined ? path : `${m[1] ?? ""}${argument} [${m[2]}]`;
}

/**
 * Rewrites a violation message built by `violation(describeResource(kind, name), path, ...)` for an object of
 * a ContactCenter; any other message is returned unchanged.
 */
export function inUserTerms(
  kind: JobRouterKind,
  args: Pick<ResourceValidationArgs, "name" | "opts">,
  message: string,
): string {
  const owner = componentOf(kind, args);
  if (owner === undefined) return message;
  const where = describeResource(kind, args.name);
  if (!message.startsWith(where)) return message;
  let rest = message.slice(where.length);
  const path = /^ ([^\s:]+):/.exec(rest);
  // The path continues the component's own path: `queues.legacy.exceptionPolicy [exceptionPolicyId]`.
  if (path !== null) rest = `.${translatePath(path[1] ?? "")}:${rest.slice(path[0].length)}`;
  // The advice names fields too ("set exceptionPolicyId to ..."): use the component's argument names there.
  const fix = rest.indexOf(" Fix: ");
  if (fix >= 0) {
    const advice = rest
      .slice(fix)
      .replace(/\b(distributionPolicyId|exceptionPolicyId|fallbackQueueId)\b/g, (f) => ARGUMENT[f] ?? f);
    rest = rest.slice(0, fix) + advice;
  }
  return `ContactCenter "${owner.component}" ${COLLECTION[kind]}.${owner.key}${rest} (resource ${args.name})`;
}
