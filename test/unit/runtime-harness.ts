// Test harness for the routing runtime over real HTTP: startEmulator on port 0 (its server, HMAC auth,
// admin handlers and store) with the runtime on a ManualClock, so time-based routing is driven by the
// test, and the JobRouterClient from provider/client.

import { startEmulator, type RunningEmulator, type Store } from "../../emulator";
import { JobRouterClient, JobRouterError } from "../../provider/client";
import { ManualClock } from "../../routing/clock";
import {
  eventName,
  type RouterEvent,
  type RouterEventName,
  type RuntimeExtension,
  type RuntimeOptions,
} from "../../emulator/runtime";

export interface Harness {
  emulator: RunningEmulator;
  client: JobRouterClient;
  runtime: RuntimeExtension;
  clock: ManualClock;
  store: Store;
  endpoint: string;
  /** Advance the runtime clock and wait for routing to settle. */
  advance(ms: number): Promise<void>;
  /** Event names so far (optionally only some). */
  names(...only: RouterEventName[]): RouterEventName[];
  events(...only: RouterEventName[]): RouterEvent[];
  close(): Promise<void>;
}

export async function startHarness(options: Omit<RuntimeOptions, "clock"> = {}): Promise<Harness> {
  // Start at real time: the HMAC check compares x-ms-date with the emulator's (real) clock, while
  // routing time is the manual clock's.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const emulator = await startEmulator({ runtime: { random: () => 0, ...options, clock } });
  const runtime = emulator.runtime;
  const client = JobRouterClient.fromConnectionString(emulator.connectionString, { retryOptions: { maxRetries: 0 } });
  return {
    emulator,
    client,
    runtime,
    clock,
    store: emulator.store,
    endpoint: emulator.endpoint,
    async advance(ms) {
      await clock.advance(ms);
      await runtime.idle();
    },
    names: (...only) => runtime.events.events(...only).map(eventName),
    events: (...only) => runtime.events.events(...only),
    close: () => emulator.close(),
  };
}

/** A distribution policy, a queue on it, and optionally an exception policy. */
export async function setupQueue(
  h: Harness,
  opts: {
    queueId?: string;
    policyId?: string;
    mode?: Parameters<JobRouterClient["upsertDistributionPolicy"]>[1]["mode"];
    offerExpiresAfterSeconds?: number;
    exceptionPolicyId?: string;
    labels?: Record<string, string | number | boolean>;
  } = {},
): Promise<string> {
  const queueId = opts.queueId ?? "q1";
  const policyId = opts.policyId ?? `${queueId}-dp`;
  await h.client.upsertDistributionPolicy(policyId, {
    name: policyId,
    offerExpiresAfterSeconds: opts.offerExpiresAfterSeconds ?? 60,
    mode: opts.mode ?? { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
  });
  const q: Parameters<JobRouterClient["upsertQueue"]>[1] = {
    name: queueId,
    distributionPolicyId: policyId,
    labels: opts.labels ?? {},
  };
  if (opts.exceptionPolicyId) q.exceptionPolicyId = opts.exceptionPolicyId;
  await h.client.upsertQueue(queueId, q);
  return queueId;
}

export async function addWorker(
  h: Harness,
  id: string,
  opts: {
    queues?: string[];
    capacity?: number;
    labels?: Record<string, string | number | boolean>;
    channels?: Array<{ channelId: string; capacityCostPerJob: number; maxNumberOfJobs?: number }>;
    available?: boolean;
  } = {},
): Promise<void> {
  await h.client.upsertWorker(id, {
    queues: opts.queues ?? ["q1"],
    capacity: opts.capacity ?? 1,
    labels: opts.labels ?? {},
    channels: opts.channels ?? [{ channelId: "chat", capacityCostPerJob: 1 }],
    availableForOffers: opts.available ?? true,
  });
}

/** The JobRouterError a call fails with (the test fails if it succeeds). */
export async function failure(p: Promise<unknown>): Promise<JobRouterError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof JobRouterError) return e;
    throw e;
  }
  throw new Error("expected the call to fail");
}
