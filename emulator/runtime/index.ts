// Routing runtime extension: jobs, workers, offers, queue position and statistics, referential refusals
// caused by jobs and workers, and Job Router events. The contract with the emulator is documented in
// emulator/README.md ("Runtime extension"); what is and is not emulated is in README.md ("Routing in the emulator").

import type { ErrorFactory } from "../errors";
import type { EtagFactory } from "../etag";
import type { AdminCollection, EmulatorRequest, EmulatorResponse } from "../http";
import type { Store } from "../store";
import type { Clock } from "../../routing/clock";
import type { HttpCaller } from "../../routing/rules";
import { SystemClock } from "./clock";
import { RoutingEngine } from "./engine";
import type { EventFeed } from "./events";
import { createRuntimeHandler } from "./handlers";
import { fetchHttpCaller } from "./rules";

export { SystemClock } from "./clock";
export { fetchHttpCaller } from "./rules";
export * from "./events";
export { RoutingEngine } from "./engine";
export type { JobState, WorkerState, EngineOptions } from "./engine";

/** Why an admin object cannot be deleted, e.g. {code: "ActiveJobWithClassificationPolicyExist", message: "There is active job with this classification policy"}. */
export interface BlockingReference {
  /** Detail code, used in 400 answers (policies). */
  code: string;
  /** Human text, used in 400 details and in the 409 concatenated message (queues). */
  message: string;
}

/** Knobs of the routing runtime; every one is optional. */
export interface RuntimeOptions {
  /** Time and timers; default: real time read from the emulator's `now`. Tests pass a ManualClock. */
  clock?: Clock;
  /** URLs that receive every event (Event Grid schema, JSON array bodies), with retries. */
  eventWebhooks?: string[];
  /** HTTP for function/webhook rules and event delivery; default global fetch (10 s timeout). */
  http?: HttpCaller;
  /** Uniform [0, 1) source for weighted allocations; default Math.random. */
  random?: () => number;
  /** Event Grid `topic`; default `/emulator/jobrouter`. */
  topic?: string;
  /** Delivery attempts per event and URL (default 5) and the first retry delay (default 1000 ms, doubling). */
  webhookMaxAttempts?: number;
  webhookInitialBackoffMs?: number;
  /**
   * Answer a request only once the routing work it caused has settled (default true), so a client
   * that only speaks HTTP sees a queued job / an issued offer on its next read without polling.
   */
  settleBeforeResponse?: boolean;
  /** Diagnostics sink (rule failures, abandoned deliveries); never receives secrets. */
  log?: (message: string) => void;
}

export interface RuntimeContext {
  store: Store;
  now: () => Date;
  /** `now()` in epoch ms, when the caller has a cheaper way to read it than building a Date. */
  nowMs?: () => number;
  errors: ErrorFactory;
  etags: EtagFactory;
  /** Optional runtime configuration (passed through from the emulator's options). */
  runtime?: RuntimeOptions;
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
  /** Every event raised so far, for tests (also pushed to `eventWebhooks`). */
  readonly events: EventFeed;
  /** The runtime's clock (a ManualClock in tests). */
  readonly clock: Clock;
  /** Resolves once no routing work is pending and event deliveries have settled. */
  idle(): Promise<void>;
  /** The engine, for tests and tools that need to look inside. */
  readonly engine: RoutingEngine;
}

export function createRuntime(ctx: RuntimeContext): RuntimeExtension {
  const o = ctx.runtime ?? {};
  const clock =
    o.clock ??
    new SystemClock(
      (err) => o.log?.(`timer failed: ${err instanceof Error ? err.message : String(err)}`),
      ctx.nowMs ?? (() => ctx.now().getTime()),
    );
  const engineOptions: ConstructorParameters<typeof RoutingEngine>[0] = {
    store: ctx.store,
    etags: ctx.etags,
    clock,
    http: o.http ?? fetchHttpCaller,
    random: o.random ?? Math.random,
    topic: o.topic ?? "/emulator/jobrouter",
    eventWebhooks: o.eventWebhooks ?? [],
  };
  if (o.webhookMaxAttempts !== undefined) engineOptions.webhookMaxAttempts = o.webhookMaxAttempts;
  if (o.webhookInitialBackoffMs !== undefined) engineOptions.webhookInitialBackoffMs = o.webhookInitialBackoffMs;
  if (o.log) engineOptions.log = o.log;
  const engine = new RoutingEngine(engineOptions);
  const handler = createRuntimeHandler({
    engine,
    errors: ctx.errors,
    settleBeforeResponse: o.settleBeforeResponse ?? true,
  });
  return {
    handle: (req) => handler.handle(req),
    referencesTo: (collection, id) => engine.referencesTo(collection, id),
    async close() {
      engine.close();
      if (!o.clock) clock.dispose();
    },
    events: engine.feed,
    clock,
    idle: () => engine.idle(),
    engine,
  };
}
