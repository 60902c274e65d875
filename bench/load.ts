// The load generator, run as its own Node process (`node dist/bench/load.js <json>`), so that the emulator (in the
// benchmark's process) and the client never share an event loop — just as the engine's processes don't share one
// with the emulator. The connection string comes from JOBROUTER_CONNECTION_STRING and the classification policies'
// function key from BENCH_FUNCTION_KEY (never from argv, which any process on the machine can read). Prints one
// JSON line with its timings.
//
//   {"mode":"create","n":300,"parallel":8}            the bench objects, wave by wave, `parallel` requests at a time
//   {"mode":"workers","count":1000,"queueId":"q","capacity":10,"parallel":16}
//   {"mode":"jobs","count":10000,"queueId":"q","parallel":32}

import { JobRouterClient } from "../provider/client/client";
import { benchObjects, creationWaves, type BenchObject } from "./workload";

export type LoadCommand =
  | { mode: "create"; n: number; parallel: number; prefix?: string }
  | { mode: "workers"; count: number; queueId: string; capacity: number; parallel: number }
  | { mode: "jobs"; count: number; queueId: string; parallel: number };

export interface LoadResult {
  mode: LoadCommand["mode"];
  operations: number;
  wallMs: number;
  /** Per-operation latency percentiles as the client saw them (ms). */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /**
   * CPU time (user + system) the load process spent on the operations (ms). Near wallMs, the load process was busy
   * the whole time: it, not the server, set the pace.
   */
  cpuMs?: number;
}

/** Runs `work(i)` for i in [0, count) with at most `parallel` in flight; returns each call's latency. */
export async function pool(count: number, parallel: number, work: (i: number) => Promise<void>): Promise<number[]> {
  const latencies = new Array<number>(count).fill(0);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(parallel, count)) }, async () => {
    while (next < count) {
      const i = next;
      next += 1;
      const t0 = performance.now();
      await work(i);
      latencies[i] = performance.now() - t0;
    }
  });
  await Promise.all(lanes);
  return latencies;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** Creates one bench object; references are ids already (the program passes the same ids as outputs). */
async function createObject(client: JobRouterClient, o: BenchObject, functionKey: string | undefined): Promise<void> {
  switch (o.collection) {
    case "exceptionPolicies":
      await client.upsertExceptionPolicy(o.id, o.body);
      return;
    case "distributionPolicies":
      await client.upsertDistributionPolicy(o.id, o.body);
      return;
    case "queues":
      await client.upsertQueue(o.id, {
        ...o.body,
        distributionPolicyId: o.refs.distributionPolicyId,
        exceptionPolicyId: o.refs.exceptionPolicyId,
      });
      return;
    case "classificationPolicies":
      await client.upsertClassificationPolicy(o.id, {
        ...o.body,
        fallbackQueueId: o.refs.fallbackQueueId,
        ...(o.needsFunctionKey && o.body.prioritizationRule?.kind === "function"
          ? { prioritizationRule: { ...o.body.prioritizationRule, credential: { functionKey } } }
          : {}),
      });
      return;
  }
}

export async function runLoad(
  command: LoadCommand,
  client: JobRouterClient,
  functionKey?: string,
): Promise<LoadResult> {
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  let latencies: number[] = [];
  if (command.mode === "create") {
    // The engine creates a resource once everything it references exists; waves reproduce that order.
    for (const wave of creationWaves(
      benchObjects(command.n, { prefix: command.prefix ?? "b", functionRules: functionKey !== undefined }),
    )) {
      latencies = latencies.concat(
        await pool(wave.length, command.parallel, async (i) => {
          const o = wave[i];
          if (o) await createObject(client, o, functionKey);
        }),
      );
    }
  } else if (command.mode === "workers") {
    latencies = await pool(command.count, command.parallel, async (i) => {
      await client.upsertWorker(`w-${i}`, {
        capacity: command.capacity,
        queues: [command.queueId],
        channels: [{ channelId: "voice", capacityCostPerJob: 1, maxNumberOfJobs: command.capacity }],
        labels: { index: i },
        availableForOffers: true,
      });
    });
  } else {
    latencies = await pool(command.count, command.parallel, async (i) => {
      await client.upsertJob(`j-${i}`, { channelId: "voice", queueId: command.queueId, priority: 1 });
    });
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    mode: command.mode,
    operations: latencies.length,
    wallMs,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  const cs = process.env.JOBROUTER_CONNECTION_STRING;
  if (!raw || !cs) throw new Error("usage: JOBROUTER_CONNECTION_STRING=… node dist/bench/load.js '<json command>'");
  const command = JSON.parse(raw) as LoadCommand;
  const client = JobRouterClient.fromConnectionString(cs);
  const result = await runLoad(command, client, process.env.BENCH_FUNCTION_KEY);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
