// Routing runtime extension point (jobs, workers, offers, real queue statistics, referential refusals
// caused by jobs and workers). This file is a placeholder: it serves nothing, so jobs/workers/offers routes
// get the emulator's unsupported-route answer. The runtime engineer owns emulator/runtime/** from here on.
// The contract is documented in emulator/README.md ("Runtime extension").

import type { ErrorFactory } from "../errors";
import type { EtagFactory } from "../etag";
import type { AdminCollection, EmulatorRequest, EmulatorResponse } from "../http";
import type { Store } from "../store";

/** Why an admin object cannot be deleted, e.g. {code: "ActiveJobWithClassificationPolicyExist", message: "There is active job with this classification policy"}. */
export interface BlockingReference {
  /** Detail code, used in 400 answers (policies). */
  code: string;
  /** Human text, used in 400 details and in the 409 concatenated message (queues). */
  message: string;
}

export interface RuntimeContext {
  store: Store;
  now: () => Date;
  errors: ErrorFactory;
  etags: EtagFactory;
}

export interface RuntimeExtension {
  /**
   * Called first for every authenticated request with a valid api-version under /routing/.
   * Return undefined for requests that are not the runtime's; the admin handlers and then the
   * unsupported-route answer follow.
   */
  handle(req: EmulatorRequest): Promise<EmulatorResponse | undefined>;
  /** Reasons (from jobs and workers) that block deleting an admin object; [] when none. */
  referencesTo(collection: AdminCollection, id: string): BlockingReference[];
  close(): Promise<void>;
}

export function createRuntime(_ctx: RuntimeContext): RuntimeExtension {
  return {
    async handle(): Promise<EmulatorResponse | undefined> {
      return undefined;
    },
    referencesTo(): BlockingReference[] {
      return [];
    },
    async close(): Promise<void> {},
  };
}
