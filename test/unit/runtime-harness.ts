// Test harness for the routing runtime over real HTTP: the emulator's own server, auth, admin handlers
// and store, with the runtime built on a ManualClock so time-based routing is driven by the test.
// (startEmulator does not yet pass runtime options through; see docs/routing.md.)

import { JobRouterClient } from "../../provider/client";
import { createAdminHandler } from "../../emulator/admin";
import { createErrorFactory } from "../../emulator/errors";
import { EtagFactory } from "../../emulator/etag";
import { FaultInjector } from "../../emulator/faults";
import { createHttpServer, listen } from "../../emulator/server";
import { MemoryStore, type Store } from "../../emulator/store";
import { createRuntime, ManualClock, type RuntimeExtension, type RuntimeOptions } from "../../emulator/runtime";
import type { RequestLogEntry } from "../../emulator/server";
import type { RouterEventName, RouterEvent } from "../../emulator/runtime";
import { eventName } from "../../emulator/runtime";

export interface Harness {
  client: JobRouterClient;
  runtime: RuntimeExtension;
  clock: ManualClock;
  store: Store;
  endpoint: string;
  accessKey: string;
  /** Advance the runtime clock and wait for routing to settle. */
  advance(ms: number): Promise<void>;
  /** Event names so far (optionally only some). */
  names(...only: RouterEventName[]): RouterEventName[];
  events(...only: RouterEventName[]): RouterEvent[];
  close(): Promise<void>;
}

export async function startHarness(options: Omit<RuntimeOptions, "clock"> = {}): Promise<Harness> {
  // Real-time start: the HMAC check compares x-ms-date with the server's (real) clock.
  const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
  const accessKey = Buffer.from("runtime-test-key-0123456789abcdef").toString("base64");
  const errors = createErrorFactory();
  const etags = new EtagFactory();
  const store = new MemoryStore();
  const now = (): Date => new Date();
  const runtime = createRuntime({ store, now, errors, etags, runtime: { random: () => 0, ...options, clock } });
  const admin = createAdminHandler({ store, errors, etags, runtime });
  const log: RequestLogEntry[] = [];
  const server = createHttpServer({
    accessKey,
    allowBearer: false,
    now,
    errors,
    faults: new FaultInjector(undefined),
    handlers: [runtime, admin],
    log,
    maxLogEntries: 1000,
  });
  const address = await listen(server, 0, "127.0.0.1");
  const endpoint = `http://127.0.0.1:${address.port}/`;
  const client = JobRouterClient.fromConnectionString(`endpoint=${endpoint};accesskey=${accessKey}`, {
    retryOptions: { maxRetries: 0 },
  });
  return {
    client,
    runtime,
    clock,
    store,
    endpoint,
    accessKey,
    async advance(ms) {
      await clock.advance(ms);
      await runtime.idle();
    },
    names: (...only) => runtime.events.events(...only).map(eventName),
    events: (...only) => runtime.events.events(...only),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await runtime.close();
    },
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
