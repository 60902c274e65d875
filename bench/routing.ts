// Routing throughput of the emulator: W workers register, then J jobs are submitted over HTTP by a separate load
// process; the emulator (in this process) is watched through its event feed. Throughput is offers issued per second
// between the first RouterJobReceived and the last RouterWorkerOfferIssued; the offer latency of a job is the time
// from its RouterJobReceived to its first RouterWorkerOfferIssued, both stamped in this process (one clock).
// Workers have room for J/W jobs each, so every job can be offered without anyone accepting.
//
// In the same run (issue 23) the same load process submits the same jobs to the floor (bench/floor.ts: the same HMAC
// check, each PATCH answered with its body, no routing), and the routing core runs alone in this process
// (bench/routing-core.ts), so the emulator's figure stands next to the machine's HTTP limit and the state machine's.

import { startEmulator } from "../emulator";
import { JobRouterClient } from "../provider/client/client";
import { runLoadProcess } from "./spawn-load";
import { percentile, type LoadResult } from "./load";
import { latencySummary, startFloorServer } from "./floor";
import { routingCoreBench, type CoreBenchResult } from "./routing-core";

export interface RoutingBenchOptions {
  workers: number;
  jobs: number;
  /** Concurrent job submissions of the load process. */
  parallel: number;
  /** The compiled load.js to run (default: next to this module). */
  loadScript?: string;
  /**
   * Workers accept every offer (over HTTP, as soon as it is issued), as real agents do: jobs leave the queue and
   * the queue stays short. Without it, offered jobs stay queued until the end.
   */
  accept?: boolean;
}

export interface RoutingBenchResult {
  workers: number;
  jobs: number;
  parallel: number;
  /** Whether workers accepted the offers (see RoutingBenchOptions.accept). */
  accepting: boolean;
  /** Offers accepted (when accepting). */
  accepted: number;
  /** Jobs that got an offer (should equal jobs). */
  offered: number;
  /** Offers issued per second, first job received → last offer issued. */
  offersPerSecond: number;
  routingWindowMs: number;
  /** Job received → first offer issued (ms), in the emulator. */
  offerLatencyMs: { p50: number; p90: number; p99: number; max: number };
  /** What the submitting client saw per PATCH (the answer waits for routing to settle). */
  client: LoadResult;
  /**
   * CPU time of this process (the emulator, with the benchmark's event listener) from the first job submitted to
   * routing settled, per job (ms). With client.cpuMs it says which of the two processes set the pace.
   */
  serverCpuMsPerJob?: number;
  workerRegistration: LoadResult;
  /** The same job PATCHes against the floor server (HMAC verified, body echoed, no routing). */
  floor: {
    answered: number;
    /** PATCHes answered per second, first received → last answered: one per job, as the emulator's one offer. */
    offersPerSecond: number;
    /** Request read → answer written (ms), in the server. */
    latencyMs: { p50: number; p90: number; p99: number; max: number };
    client: LoadResult;
    /** CPU time of the floor server (this process) per job (ms), over the same span as the emulator's. */
    serverCpuMsPerJob?: number;
  };
  /** Emulator offers/s ÷ floor offers/s. */
  ratio: number;
  core: CoreBenchResult;
}

async function floorBench(options: RoutingBenchOptions): Promise<RoutingBenchResult["floor"]> {
  const floor = await startFloorServer();
  try {
    const cpuAtStart = process.cpuUsage();
    const client = await runLoadProcess(
      floor.connectionString,
      { mode: "jobs", count: options.jobs, queueId: "bench-routing", parallel: options.parallel },
      undefined,
      options.loadScript,
    );
    const cpu = process.cpuUsage(cpuAtStart);
    const st = floor.stats();
    return {
      answered: st.answered,
      offersPerSecond: st.windowMs > 0 ? (st.answered * 1000) / st.windowMs : 0,
      latencyMs: latencySummary(st.latenciesMs),
      client,
      serverCpuMsPerJob: (cpu.user + cpu.system) / 1000 / options.jobs,
    };
  } finally {
    await floor.close();
  }
}

export async function routingBench(options: RoutingBenchOptions): Promise<RoutingBenchResult> {
  const emulatorResult = await emulatorBench(options);
  const floor = await floorBench(options);
  const core = await routingCoreBench({ workers: options.workers, jobs: options.jobs });
  return {
    ...emulatorResult,
    floor,
    ratio: floor.offersPerSecond > 0 ? emulatorResult.offersPerSecond / floor.offersPerSecond : 0,
    core,
  };
}

async function emulatorBench(
  options: RoutingBenchOptions,
): Promise<Omit<RoutingBenchResult, "floor" | "ratio" | "core">> {
  const emulator = await startEmulator({ port: 0, maxLogEntries: 1 });
  try {
    const client = JobRouterClient.fromConnectionString(emulator.connectionString);
    const capacity = Math.max(1, Math.ceil(options.jobs / options.workers));
    await client.upsertDistributionPolicy("bench-routing", {
      name: "bench routing",
      offerExpiresAfterSeconds: 3600,
      mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
    });
    await client.upsertQueue("bench-routing", { name: "bench routing", distributionPolicyId: "bench-routing" });

    const workerRegistration = await runLoadProcess(
      emulator.connectionString,
      {
        mode: "workers",
        count: options.workers,
        queueId: "bench-routing",
        capacity,
        parallel: 16,
      },
      undefined,
      options.loadScript,
    );

    const received = new Map<string, number>();
    const offeredAt = new Map<string, number>();
    let firstReceived = Number.POSITIVE_INFINITY;
    let lastOffer = 0;
    const accepts: Promise<unknown>[] = [];
    let accepted = 0;
    const off = emulator.runtime.events.subscribe((e) => {
      const now = performance.now();
      const jobId = typeof e.data.jobId === "string" ? e.data.jobId : undefined;
      if (jobId === undefined) return;
      if (e.eventType === "Microsoft.Communication.RouterJobReceived") {
        received.set(jobId, now);
        firstReceived = Math.min(firstReceived, now);
      } else if (e.eventType === "Microsoft.Communication.RouterWorkerOfferIssued" && !offeredAt.has(jobId)) {
        offeredAt.set(jobId, now);
        lastOffer = Math.max(lastOffer, now);
        const workerId = e.data.workerId;
        const offerId = e.data.offerId;
        if (options.accept && typeof workerId === "string" && typeof offerId === "string") {
          accepts.push(
            client.acceptJobOffer(workerId, offerId).then(() => {
              accepted += 1;
            }),
          );
        }
      }
    });
    const cpuAtStart = process.cpuUsage();
    const submitted = await runLoadProcess(
      emulator.connectionString,
      {
        mode: "jobs",
        count: options.jobs,
        queueId: "bench-routing",
        parallel: options.parallel,
      },
      undefined,
      options.loadScript,
    );
    await Promise.all(accepts);
    await emulator.runtime.idle();
    const cpu = process.cpuUsage(cpuAtStart);
    off();

    const latencies: number[] = [];
    for (const [jobId, at] of offeredAt) {
      const r = received.get(jobId);
      if (r !== undefined) latencies.push(at - r);
    }
    latencies.sort((a, b) => a - b);
    const windowMs = lastOffer - firstReceived;
    return {
      workers: options.workers,
      jobs: options.jobs,
      parallel: options.parallel,
      accepting: options.accept === true,
      accepted,
      offered: offeredAt.size,
      offersPerSecond: windowMs > 0 ? (offeredAt.size * 1000) / windowMs : 0,
      routingWindowMs: windowMs,
      offerLatencyMs: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? 0,
      },
      client: submitted,
      serverCpuMsPerJob: (cpu.user + cpu.system) / 1000 / options.jobs,
      workerRegistration,
    };
  } finally {
    await emulator.close();
  }
}
