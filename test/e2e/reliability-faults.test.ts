// Reliability under a flaky service: the emulator answers ~10% of requests with 503 or 429 (both with Retry-After)
// or drops the connection without an answer, during a real `pulumi up` of 300 objects. The first up must succeed,
// every object must exist exactly once with the program's content, and the next preview must show no change.

import { rm } from "node:fs/promises";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliStack, repoRoot } from "../../bench/cli";
import { stateObjectKeys, type Deployment } from "../../bench/verify";
import { benchObjects } from "../../bench/workload";

const N = 300;
const workRoot = path.join(repoRoot, ".cache", "e2e", `reliability-faults-${process.pid}-${Date.now()}`);

function serviceKeys(emulator: RunningEmulator): string[] {
  const keys: string[] = [];
  for (const c of ["distributionPolicies", "queues", "classificationPolicies", "exceptionPolicies"]) {
    for (const r of emulator.store.list(c)) keys.push(`${c}/${r.id}`);
  }
  return keys.sort();
}

describe("pulumi up of 300 objects against a service failing ~10% of requests", () => {
  let emulator: RunningEmulator;
  let stack: CliStack;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, maxLogEntries: 100_000 });
    stack = await CliStack.create({
      workDir: workRoot,
      programDir: "bench/program",
      config: {
        "jobrouter:connectionString": { value: emulator.connectionString, secret: true },
        "bench:n": { value: String(N) },
      },
    });
  });

  afterAll(async () => {
    await emulator?.close();
    if (!process.env.E2E_KEEP) await rm(workRoot, { recursive: true, force: true });
  });

  it("succeeds the first time, loses and duplicates nothing, and the next preview is empty", async () => {
    // P(drop) ≈ 3.4%, then P(429|503) ≈ 7% of the rest: ≈ 10% of requests fail one way or another.
    emulator.setFaults({
      dropRate: 0.034,
      errorRate: 0.07,
      errorStatus: "mixed",
      retryAfterSeconds: 1,
      seed: 20261124,
    });
    const up = await stack.run(["up", "--yes", "--skip-preview"]);
    const log = [...emulator.requests];
    expect(up.code, `${up.stdout.slice(-3000)}\n${up.stderr.slice(-3000)}`).toBe(0);

    // The faults really happened, in all three forms.
    const dropped = log.filter((r) => r.status === 0).length;
    const throttled = log.filter((r) => r.status === 429).length;
    const unavailable = log.filter((r) => r.status === 503).length;
    expect(dropped).toBeGreaterThan(5);
    expect(throttled).toBeGreaterThan(5);
    expect(unavailable).toBeGreaterThan(5);
    expect((dropped + throttled + unavailable) / log.length).toBeGreaterThan(0.06);
    console.log(
      `reliability-faults: ${log.length} requests, ${dropped} dropped, ${throttled} × 429, ${unavailable} × 503, up ${(up.wallMs / 1000).toFixed(1)} s`,
    );

    // Exactly the program's objects on the service and in the state: nothing missing, nothing extra.
    const expected = benchObjects(N)
      .map((o) => `${o.collection}/${o.id}`)
      .sort();
    expect(serviceKeys(emulator)).toEqual(expected);
    const checkpoint = JSON.parse(await stack.checkpointText()) as { checkpoint: { latest: Deployment } };
    expect(stateObjectKeys(checkpoint.checkpoint.latest)).toEqual(expected);
    expect(checkpoint.checkpoint.latest.pending_operations ?? []).toEqual([]);

    // Each object was created once (one 201 per id) and holds what the program says.
    const created = log.filter((r) => r.method === "PATCH" && r.status === 201).map((r) => r.path);
    expect(created.length).toBe(N);
    expect(new Set(created).size).toBe(N);
    for (const o of benchObjects(N)) {
      const stored = emulator.store.get(o.collection, o.id);
      expect(stored?.body["name"], `${o.collection}/${o.id}`).toBe(o.body.name);
    }

    // The next preview, faults still on, proposes nothing (and sends nothing).
    emulator.clearRequests();
    const preview = await stack.run(["preview", "--expect-no-changes", "--json"]);
    expect(preview.code, preview.stderr.slice(-3000)).toBe(0);
    const json = JSON.parse(preview.stdout) as { steps?: { op: string }[] };
    expect((json.steps ?? []).filter((s) => s.op !== "same")).toEqual([]);
    expect(emulator.requests.length).toBe(0);
  }, 360_000);
});
