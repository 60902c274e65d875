// Entry point the Pulumi CLI runs (`pulumi preview --policy-pack policy/`): serves the pack over gRPC.
// Policies live in ./policies so that tests can import them without starting a server.

import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

export const PACK_NAME = "jobrouter-guardrails";

new PolicyPack(PACK_NAME, {
  description: "Guardrails for Azure Communication Services Job Router stacks built with pulumi-jobrouter.",
  displayName: "Job Router guardrails",
  provider: "azure",
  tags: ["azure", "communication-services", "job-router"],
  // Each policy sets its own level; this only applies to a policy that forgets to.
  enforcementLevel: "advisory",
  policies,
});
