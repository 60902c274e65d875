// Reliability when the engine dies: `pulumi up` of 100 objects is SIGKILLed at three points (after 5, 50 and 90
// objects exist on the service). Then the recovery a user runs (docs/performance.md, "When the engine is killed"):
//
//   pulumi cancel --yes                              # the killed run's lock (file backends)
//   pulumi stack export --file s.json                # pending creates → resources with their Job Router id
//   (bench/verify.ts adoptPendingCreates, or the jq one-liner in docs/performance.md)
//   pulumi stack import --file s.json
//   pulumi refresh --yes                             # keeps what the service has, drops what it never got
//   pulumi up --yes                                  # creates only what is still missing
//
// must converge: every object on the service exactly once, all of them in the state, none extra on either side,
// and an empty preview afterwards. At the middle point the test also shows why the obvious recovery
// (`refresh --clear-pending-creates`, then `up`; here `up --target` one such object) does not converge: objects created but never recorded make the
// next create fail with "already exists" (the provider refuses to take over an object it did not record).

import type { ChildProcess } from "node:child_process";
import { writeFile, readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { CliStack, repoRoot, type CliResult } from "../../bench/cli";
import { processTree } from "../../bench/procs";
import { adoptPendingCreates, stateObjectKeys, type Deployment } from "../../bench/verify";
import { benchObjects } from "../../bench/workload";

const N = 100;
const workRoot = path.join(repoRoot, ".cache", "e2e", `reliability-kill-${process.pid}-${Date.now()}`);
const expected = benchObjects(N)
  .map((o) => `${o.collection}/${o.id}`)
  .sort();

function serviceKeys(emulator: RunningEmulator): string[] {
  const keys: string[] = [];
  for (const c of ["distributionPolicies", "queues", "classificationPolicies", "exceptionPolicies"]) {
    for (const r of emulator.store.list(c)) keys.push(`${c}/${r.id}`);
  }
  return keys.sort();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function must(r: CliResult): CliResult {
  if (r.code !== 0)
    throw new Error(`pulumi ${r.args.join(" ")} → ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return r;
}

/** Runs `pulumi up`, SIGKILLs the CLI once `createdBeforeKill` objects exist on the service, then its plugins. */
async function upKilledAfter(
  stack: CliStack,
  emulator: RunningEmulator,
  createdBeforeKill: number,
): Promise<{ result: CliResult; orphanedPlugins: number }> {
  let child: ChildProcess | undefined;
  let orphans: number[] = [];
  const running = stack.run(["up", "--yes", "--skip-preview"], { onSpawn: (c) => (child = c) });
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const pid = child?.pid;
      if (pid === undefined) return;
      if (child?.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`pulumi up ended (exit ${child?.exitCode}) before ${createdBeforeKill} objects existed`));
        return;
      }
      if (serviceKeys(emulator).length >= createdBeforeKill) {
        clearInterval(timer);
        orphans = processTree(pid)
          .filter((p) => p.pid !== pid)
          .map((p) => p.pid);
        process.kill(pid, "SIGKILL");
        resolve();
      }
    }, 2);
  });
  const result = await running;
  // The plugins (language host, dynamic-provider host) outlive a SIGKILLed CLI; a killed CI job takes them too.
  const survivors = orphans.filter(alive);
  for (const pid of survivors) process.kill(pid, "SIGKILL");
  return { result, orphanedPlugins: survivors.length };
}

async function deployment(stack: CliStack, file: string): Promise<{ version: number; deployment: Deployment }> {
  must(await stack.run(["stack", "export", "--file", file]));
  return JSON.parse(await readFile(file, "utf8")) as { version: number; deployment: Deployment };
}

describe("pulumi up of 100 objects, engine SIGKILLed mid-way", () => {
  const emulators: RunningEmulator[] = [];
  const seen: { point: number; pendingCreates: number; unrecorded: number }[] = [];

  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
    if (!process.env.E2E_KEEP) await rm(workRoot, { recursive: true, force: true });
  });

  for (const point of [5, 50, 90]) {
    it(`converges after a kill at ${point} objects (refresh + up)`, async () => {
      // A little latency per request so creates are in flight at the moment of the kill.
      const emulator = await startEmulator({ port: 0, maxLogEntries: 100_000, faults: { latencyMs: 20 } });
      emulators.push(emulator);
      const stack = await CliStack.create({
        workDir: path.join(workRoot, `at-${point}`),
        programDir: "bench/program",
        config: {
          "jobrouter:connectionString": { value: emulator.connectionString, secret: true },
          "bench:n": { value: String(N) },
        },
      });

      const { result } = await upKilledAfter(stack, emulator, point);
      expect(result.signal).toBe("SIGKILL");

      // The killed run leaves its lock; `pulumi cancel` removes it on a file backend.
      const locked = await stack.run(["refresh", "--yes", "--skip-preview"]);
      expect(locked.code).not.toBe(0);
      expect(locked.stdout + locked.stderr).toMatch(/locked/);
      must(await stack.run(["cancel", "--yes"]));

      const exportFile = path.join(stack.workDir, "state.json");
      const before = await deployment(stack, exportFile);
      const recorded = stateObjectKeys(before.deployment);
      const onService = serviceKeys(emulator);
      const unrecorded = onService.filter((k) => !recorded.includes(k));
      const pendingCreates = (before.deployment.pending_operations ?? []).filter((op) => op.type === "creating");
      seen.push({ point, pendingCreates: pendingCreates.length, unrecorded: unrecorded.length });
      // Everything recorded exists; whatever exists unrecorded is one of the pending creates.
      expect(recorded.every((k) => onService.includes(k))).toBe(true);
      const pendingIds = pendingCreates.map((op) => String(op.resource.urn.split("::").pop()));
      for (const k of unrecorded) expect(pendingIds).toContain(k.split("/")[1]);

      if (point === 50 && unrecorded.length > 0) {
        // The obvious recovery does not converge: the provider refuses to take over what it never recorded.
        must(await stack.run(["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]));
        // Only one of the unrecorded objects is targeted, so this detour creates nothing else.
        const victim = pendingCreates.find((op) =>
          unrecorded.some((k) => op.resource.urn.endsWith(`::${k.split("/")[1]}`)),
        );
        const naive = await stack.run(["up", "--yes", "--skip-preview", "--target", String(victim?.resource.urn)]);
        expect(naive.code).not.toBe(0);
        expect(naive.stdout + naive.stderr).toMatch(/already exists .*adoptExisting: true/s);
        // Back to the state as the kill left it, then the recovery that works.
        must(await stack.run(["stack", "import", "--file", exportFile]));
      }

      const { deployment: fixed, adopted } = adoptPendingCreates(before.deployment);
      expect(adopted.length).toBe(pendingCreates.length);
      await writeFile(exportFile, JSON.stringify({ ...before, deployment: fixed }));
      must(await stack.run(["stack", "import", "--file", exportFile]));
      must(await stack.run(["refresh", "--yes", "--skip-preview"]));
      must(await stack.run(["up", "--yes", "--skip-preview"]));

      // Converged: the service and the state hold exactly the program's objects.
      expect(serviceKeys(emulator)).toEqual(expected);
      const after = await deployment(stack, exportFile);
      expect(stateObjectKeys(after.deployment)).toEqual(expected);
      expect(after.deployment.pending_operations ?? []).toEqual([]);
      // Each object was created once on the service (one 201 per path over the kill and the recovery).
      const created = emulator.requests.filter((r) => r.method === "PATCH" && r.status === 201).map((r) => r.path);
      expect(created.length).toBe(N);
      expect(new Set(created).size).toBe(N);
      const preview = await stack.run(["preview", "--expect-no-changes"]);
      expect(preview.code, preview.stdout.slice(-2000)).toBe(0);
    }, 150_000);
  }

  it("exercised the hard case: some kill left objects on the service that the state did not record", () => {
    // For the record (quoted in docs/performance.md): per kill point, pending creates and unrecorded objects.
    console.log(`reliability-kill: ${JSON.stringify(seen)}`);
    expect(seen.length).toBe(3);
    expect(seen.some((s) => s.unrecorded > 0)).toBe(true);
  });
});
