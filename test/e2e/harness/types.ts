// Shapes of what the engine writes: the file backend's checkpoint and `pulumi preview --json`. Only the fields tests
// read are typed; everything else is still there at run time.

/** One property's difference in a step (`preview --json` → steps[].detailedDiff[path]). */
export interface PropertyDiffJson {
  /** add, add-replace, delete, delete-replace, update, update-replace */
  kind: string;
  /** true when old and new inputs differ (rather than old outputs and new inputs). */
  inputDiff?: boolean;
}

export interface StepState {
  urn: string;
  type: string;
  custom?: boolean;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface PreviewStep {
  /** same, create, update, delete, replace, create-replacement, delete-replaced, read, refresh, … */
  op: string;
  urn: string;
  type?: string;
  provider?: string;
  oldState?: StepState;
  newState?: StepState;
  /** Top-level input keys that differ. */
  diffReasons?: string[];
  /** Keys that force replacement. */
  replaceReasons?: string[];
  detailedDiff?: Record<string, PropertyDiffJson> | null;
}

export interface PreviewJson {
  /** The stack's config as the preview saw it; secrets show as "[secret]". (CLI runs only.) */
  config?: Record<string, unknown>;
  /** The steps the engine lists: changes, plus `same` for the stack (the CLI omits unchanged custom resources). */
  steps: PreviewStep[];
  diagnostics?: { urn?: string; message: string; severity: string }[];
  /** Count of steps per op, e.g. { same: 2 } or { update: 1, same: 1 }. */
  changeSummary?: Record<string, number>;
}

export interface StateResource {
  urn: string;
  custom: boolean;
  type: string;
  id?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  parent?: string;
  provider?: string;
  dependencies?: string[];
  additionalSecretOutputs?: string[];
}

/** The checkpoint file of the file:// backend (`<backend>/.pulumi/stacks/<project>/<stack>.json`). */
export interface StateFile {
  version: number;
  checkpoint: {
    stack: string;
    latest?: {
      manifest?: { time: string; version: string };
      secrets_providers?: { type: string; state?: unknown };
      resources?: StateResource[];
    };
  };
}
