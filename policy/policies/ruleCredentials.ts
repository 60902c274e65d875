// "Credentials are secrets": how a policy can know.
//
// The engine sends secret markers to the policy pack for both calls it makes per resource
// (Remediate, then Analyze), but @pulumi/policy 1.21 keeps them only for `remediateResource`:
// `validateResource` receives every secret already unwrapped to plain text, and `StackValidation`
// likewise. So the check is split in two policies that share this module's state:
//
//  - `credential-secrecy-probe` (enforcement level `remediate`) looks at the secret-preserving view
//    the SDK gives remediations, records for each resource which credential paths arrived secret,
//    and returns nothing, so it never changes a resource or prints anything;
//  - `rule-credentials-secret` (advisory/mandatory/disabled like any other policy) reads that record
//    in `validateResource`, which the engine calls right after all remediations of the same resource
//    in the same policy-pack process.
//
// If the probe is disabled or set to another level, the record is missing and the check fails closed
// with a message that says so, instead of passing silently.

import type { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { describeResource, kindOf, TYPES, violation } from "./common";
import { findOutboundRules, type RuleCredential } from "./rules";

/** Credential paths seen by the probe, by resource URN, for the current operation. */
const observed = new Map<string, RuleCredential[]>();

const CHECKED_TYPES: readonly string[] = [TYPES.distributionPolicy, TYPES.classificationPolicy, TYPES.contactCenter];

function where(args: ResourceValidationArgs): string {
  const kind = kindOf(args.type);
  return describeResource(kind ?? "contactCenter", args.name);
}

export const credentialSecrecyProbe: ResourceValidationPolicy = {
  name: "credential-secrecy-probe",
  description:
    "Records which webhook and function rule credentials arrive as Pulumi secrets so that rule-credentials-secret can check them; it never changes or reports anything.",
  // `remediate` is the only level at which the SDK shows a policy which values are secret.
  enforcementLevel: "remediate",
  configSchema: { properties: {} },
  remediationSteps: "Keep this policy at enforcement level remediate; set rule-credentials-secret's level instead.",
  remediateResource: (args) => {
    if (!CHECKED_TYPES.includes(args.type)) return undefined;
    observed.set(
      args.urn,
      findOutboundRules(args.props).flatMap((r) => r.credentials),
    );
    return undefined;
  },
};

/** Plaintext credentials end up in the state file, the preview diff and CI logs. */
export const ruleCredentialsSecret: ResourceValidationPolicy = {
  name: "rule-credentials-secret",
  description:
    "Webhook client secrets and function keys/app keys in Job Router rules must be Pulumi secrets so they are encrypted in state and masked in output.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: { properties: {} },
  remediationSteps:
    "Wrap the value in pulumi.secret(...) or read it with config.requireSecret(...); keep credential-secrecy-probe at level remediate.",
  validateResource: (args, report) => {
    if (!CHECKED_TYPES.includes(args.type)) return;
    // Consume the record: it describes exactly the remediation pass that preceded this validation.
    // A record left from an earlier pass must never vouch for later values.
    const seen = observed.get(args.urn);
    observed.delete(args.urn);
    const credentials = findOutboundRules(args.props).flatMap((r) => r.credentials);
    if (credentials.length === 0) return;
    for (const c of credentials) {
      const o = seen?.find((s) => s.path === c.path);
      if (o === undefined) {
        report(
          violation(
            where(args),
            c.path,
            "could not be checked for secrecy because credential-secrecy-probe did not run for this resource.",
            "set credential-secrecy-probe back to enforcement level remediate in the policy config (or disable rule-credentials-secret explicitly).",
          ),
        );
      } else if (!o.secret && !o.unknown) {
        // A computed value's secretness may not be settled during preview; `pulumi up` checks it
        // again with the real value before the resource is created. The value itself is never echoed.
        report(
          violation(
            where(args),
            c.path,
            "is a credential but is not a Pulumi secret, so it would be stored in plain text.",
            "pass it as pulumi.secret(value) or config.requireSecret(name).",
          ),
        );
      }
    }
  },
};

/** Test hook: forget what the probe recorded. */
export function resetCredentialObservations(): void {
  observed.clear();
}
