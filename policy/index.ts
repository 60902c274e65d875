// Entry point the Pulumi CLI runs (`pulumi preview --policy-pack policy/`): serves the pack over gRPC.
// Policies live in ./policies so that tests can import them without starting a server.

import * as path from "node:path";
import { PolicyPack } from "@pulumi/policy";
import { policies, rememberStartDir } from "./policies";

// PolicyPack reads the pack's version from `<cwd>/package.json`. A language host may start the pack in the
// program's directory instead (this repository's fallback host does), which would pick up the program's
// package.json. The pack's own directory is the parent of dist/ (or of this file when run from source).
// The directory the engine started the pack in may be the Pulumi project's: service-level-guardrail resolves a relative
// trafficFile against the project, so remember it before moving.
rememberStartDir(process.cwd());
process.chdir(path.basename(__dirname) === "dist" ? path.dirname(__dirname) : __dirname);

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
