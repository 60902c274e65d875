// The routing core alone (issue 23): the same 1,000 workers × 10,000 jobs as the emulator's routing benchmark, on
// `routing/Router` in this process with a manual clock: no HTTP, no store, no events feed. What is left is the state
// machine's own cost, the ceiling any adapter over it can reach.

import { ManualClock, Router } from "../routing";
import { latencySummary } from "./floor";

export interface CoreBenchResult {
  offered: number;
  offersPerSecond: number;
  wallMs: number;
  /** submitJob call → its first offer issued (ms), measured around each call. */
  offerLatencyMs: { p50: number; p90: number; p99: number; max: number };
}

export async function routingCoreBench(o: { workers: number; jobs: number }): Promise<CoreBenchResult> {
  const capacity = Math.max(1, Math.ceil(o.jobs / o.workers));
  let offered = 0;
  const router = new Router({
    config: {
      distributionPolicies: [
        {
          id: "bench-routing",
          name: "bench routing",
          offerExpiresAfterSeconds: 3600,
          mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 1 },
        },
      ],
      queues: [{ id: "bench-routing", name: "bench routing", distributionPolicyId: "bench-routing" }],
      classificationPolicies: [],
      exceptionPolicies: [],
    },
    clock: new ManualClock(),
    random: Math.random,
    onEvent: (e) => {
      if (e.kind === "offerIssued") offered += 1;
    },
  });
  for (let i = 0; i < o.workers; i++) {
    router.addWorker({
      id: `w-${i}`,
      queues: ["bench-routing"],
      labels: { index: i },
      capacity,
      channels: [{ channelId: "voice", capacityCostPerJob: 1, maxNumberOfJobs: capacity }],
      available: true,
    });
  }
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < o.jobs; i++) {
    const t0 = performance.now();
    await router.submitJob({ id: `j-${i}`, channelId: "voice", queueId: "bench-routing", priority: 1 });
    latencies.push(performance.now() - t0);
  }
  const wallMs = performance.now() - started;
  return {
    offered,
    offersPerSecond: wallMs > 0 ? (offered * 1000) / wallMs : 0,
    wallMs,
    offerLatencyMs: latencySummary(latencies),
  };
}
