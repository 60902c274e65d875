// Small wrappers shared by the resource policies.

import type { ReportViolation, ResourceValidation, ResourceValidationArgs } from "@pulumi/policy";
import { kindOf, type JobRouterKind } from "./common";

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
    validate(kind, args, report);
  };
}
