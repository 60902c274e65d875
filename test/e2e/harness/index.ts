// End-to-end harness: the real Pulumi CLI, a local file backend and a fresh Job Router emulator per test file.
export { createHarness, CONNECTION_STRING_KEY } from "./harness";
export type { Harness, HarnessOptions, HarnessStack, ProgramDir, StackOptions } from "./harness";
export type { PreviewJson, PreviewStep, PropertyDiffJson, StateFile, StateResource, StepState } from "./types";
export { pulumiBinDir, pulumiEnv, pulumiVersion, repoRoot } from "./paths";
