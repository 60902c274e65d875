// Small wrappers shared by the resource policies.

import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { kindOf, type JobRouterKind } from "./common";
import { inUserTerms } from "./userTerms";

/**
 * Runs `validate` only for our dynamic resources of the given kinds. Matching is by `args.type`
 * because `validateResourceOfType` cannot tell dynamic resources apart (they share one package).
 */
export function forKinds(
  kinds: readonly JobRouterKind[],
  validate: (kind: JobRouterKind, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
  return (args, report) => {
    const kind = kindOf(args.type);
    if (kind === undefined || !kinds.includes(kind)) return;
    // Objects a ContactCenter made are reported in the component's terms (its key and argument names).
    validate(kind, args, (message, urn) => report(inUserTerms(kind, args, message), urn));
  };
}
