// Reliability when the engine dies: `pulumi up` of 100 objects is SIGKILLed at three points (after 5, 50 and 90
// objects exist on the service). Then exactly the recovery a user types (README.md ("Performance and reliability"), "When the engine is
// killed"):
//
//   find <backend>/.pulumi -name '*.attrs' -empty -delete # only if commands fail with "failed to load checkpoint: EOF"
//   pulumi cancel --yes                                  # the killed run's lock (file backends)
//   pulumi refresh --clear-pending-creates --yes         # forget the creates the killed run left pending
//   pulumi up --yes                                      # creates what is missing, adopts its own interrupted creates
//
// must converge: every program object on the service exactly once and in the state, nothing on the service that the
// state does not hold, and an empty preview afterwards. What makes the plain `up` converge is the provider's create
// journal (provider/journal.ts): an object created but never recorded is recognised as this provider's own
// interrupted create of the same spec. The journal is a temporary directory of this test, handed to the engine's
// plugins through PULUMI_JOBROUTER_JOURNAL_DIR. At the middle point the test also shows that without the journal
// (the same recovery from a machine that did not run the crashed `up`) such an object is still refused, and a
// last test runs the fallback for that case (stack export, bench/verify.ts adoptPendingCreates, stack import,
// refresh, up) with an empty journal.

import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "pulumi-jobrouter/emulator";
import { afterAll, describe, expect, it } from "vitest";
import { CliStack, repoRoot, type CliResult } from "../../bench/cli";
import { isRunning as alive, processTree } from "../../bench/procs";
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
  env: Record<string, string>,
): Promise<{ result: CliResult; orphanedPlugins: number }> {
  let child: ChildProcess | undefined;
  let orphans: number[] = [];
  const running = stack.run(["up", "--yes", "--skip-preview"], { env, onSpawn: (c) => (child = c) });
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
  // The plugins (language host with its program, dynamic-provider hosts) end by themselves once their CLI is gone
  // (scripts/pulumi-plugins/exit-with-parent.js). Give them a bounded while, then count and kill what is left.
  for (let waited = 0; waited < 15_000 && orphans.some(alive); waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const survivors = orphans.filter(alive);
  for (const pid of survivors) process.kill(pid, "SIGKILL");
  return { result, orphanedPlugins: survivors.length };
}

/**
 * The file backend writes a blob's `.attrs` sidecar (create, then write) before it renames the blob into place, so a
 * kill between the two leaves an empty `<stack>.json.attrs` next to an intact `<stack>.json`, and every command then
 * fails with "failed to load checkpoint: EOF". A missing sidecar is read as "no attributes", so the fix is to delete
 * the empty ones: `find <backend>/.pulumi -name '*.attrs' -empty -delete`. Returns what it deleted.
 */
async function removeEmptyAttrs(backendDir: string): Promise<string[]> {
  const root = path.join(backendDir, ".pulumi");
  const removed: string[] = [];
  for (const name of await readdir(root, { recursive: true })) {
    const file = path.join(root, name);
    if (name.endsWith(".attrs") && (await stat(file)).size === 0) {
      await rm(file);
      removed.push(name);
    }
  }
  return removed;
}

/**
 * The first command after the kill, as a user meets it: the stack is locked, and possibly its state unreadable
 * because the kill interrupted the backend's write (then the empty sidecar goes, and the command is tried again).
 * Returns how many sidecars had to be removed.
 */
async function unlockAfterKill(stack: CliStack, run: (args: string[]) => Promise<CliResult>): Promise<number> {
  let first = await run(["refresh", "--yes", "--skip-preview"]);
  let removed = 0;
  if (/failed to load checkpoint: EOF/.test(first.stdout + first.stderr)) {
    removed = (await removeEmptyAttrs(stack.backendDir)).length;
    expect(removed).toBeGreaterThan(0);
    first = await run(["refresh", "--yes", "--skip-preview"]);
  }
  // The killed run leaves its lock; `pulumi cancel` removes it on a file backend.
  expect(first.code).not.toBe(0);
  expect(first.stdout + first.stderr).toMatch(/locked/);
  must(await run(["cancel", "--yes"]));
  return removed;
}

async function deployment(stack: CliStack, file: string): Promise<Deployment> {
  must(await stack.run(["stack", "export", "--file", file]));
  return (JSON.parse(await readFile(file, "utf8")) as { deployment: Deployment }).deployment;
}

describe("pulumi up of 100 objects, engine SIGKILLed mid-way", () => {
  const emulators: RunningEmulator[] = [];
  const journals: string[] = [];
  const seen: { point: number; emptyAttrs: number; pendingCreates: number; unrecorded: number }[] = [];

  afterAll(async () => {
    await Promise.all(emulators.map((e) => e.close()));
    if (!process.env.E2E_KEEP) {
      await rm(workRoot, { recursive: true, force: true });
      await Promise.all(journals.map((j) => rm(j, { recursive: true, force: true })));
    }
  });

  for (const point of [5, 50, 90]) {
    it(`converges after a kill at ${point} objects (cancel, refresh --clear-pending-creates, up)`, async () => {
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

      // This machine's create journal: every command of the stack runs with it, as a user's would with ~/.pulumi.
      const journalDir = await mkdtemp(path.join(os.tmpdir(), `jr-kill-journal-${point}-`));
      journals.push(journalDir);
      const env = { PULUMI_JOBROUTER_JOURNAL_DIR: journalDir };
      const run = (args: string[]): Promise<CliResult> => stack.run(args, { env });

      const { result, orphanedPlugins } = await upKilledAfter(stack, emulator, point, env);
      expect(orphanedPlugins).toBe(0);
      expect(result.signal).toBe("SIGKILL");

      const emptyAttrs = await unlockAfterKill(stack, run);

      // What the kill left (read only, for the assertions): pending creates, some of them on the service.
      const exportFile = path.join(stack.workDir, "state.json");
      const before = await deployment(stack, exportFile);
      const recorded = stateObjectKeys(before);
      const onService = serviceKeys(emulator);
      const unrecorded = onService.filter((k) => !recorded.includes(k));
      const pendingCreates = (before.pending_operations ?? []).filter((op) => op.type === "creating");
      seen.push({ point, emptyAttrs, pendingCreates: pendingCreates.length, unrecorded: unrecorded.length });
      // Everything recorded exists; whatever exists unrecorded is one of the pending creates.
      expect(recorded.every((k) => onService.includes(k))).toBe(true);
      const pendingIds = pendingCreates.map((op) => String(op.resource.urn.split("::").pop()));
      for (const k of unrecorded) expect(pendingIds).toContain(k.split("/")[1]);

      // The recovery, step 1.
      must(await run(["refresh", "--clear-pending-creates", "--yes", "--skip-preview"]));
      const cleared = await deployment(stack, exportFile);
      expect((cleared.pending_operations ?? []).filter((op) => op.type === "creating")).toEqual([]);

      if (point === 50 && unrecorded.length > 0) {
        // Without this machine's journal the provider cannot tell its own interrupted create from someone else's
        // object, and still refuses it. Only one unrecorded object is targeted, so this detour creates nothing.
        const victim = pendingCreates.find((op) =>
          unrecorded.some((k) => op.resource.urn.endsWith(`::${k.split("/")[1]}`)),
        );
        const elsewhere = await mkdtemp(path.join(os.tmpdir(), "jr-kill-journal-elsewhere-"));
        journals.push(elsewhere);
        const refused = await stack.run(["up", "--yes", "--skip-preview", "--target", String(victim?.resource.urn)], {
          env: { PULUMI_JOBROUTER_JOURNAL_DIR: elsewhere },
        });
        expect(refused.code).not.toBe(0);
        expect(refused.stdout + refused.stderr).toMatch(/already exists .*adoptExisting: true/s);
        // The refused create wrote no entry (the journal holds only its salt).
        expect((await readdir(elsewhere)).filter((f) => f.endsWith(".json"))).toEqual([]);
      }

      // The recovery, step 2.
      must(await run(["up", "--yes", "--skip-preview"]));

      // Converged: no program object missing on the service or in the state, no orphan on the service.
      const finalService = serviceKeys(emulator);
      const after = await deployment(stack, exportFile);
      const finalState = stateObjectKeys(after);
      expect(
        finalService.filter((k) => !finalState.includes(k)),
        "orphans on the service",
      ).toEqual([]);
      expect(
        expected.filter((k) => !finalService.includes(k)),
        "missing on the service",
      ).toEqual([]);
      expect(
        expected.filter((k) => !finalState.includes(k)),
        "missing in the state",
      ).toEqual([]);
      expect(finalService).toEqual(expected);
      expect(finalState).toEqual(expected);
      expect(after.pending_operations ?? []).toEqual([]);
      // Each object was created once on the service (one 201 per path over the kill and the recovery): the
      // interrupted creates were adopted, not written again.
      const created = emulator.requests.filter((r) => r.method === "PATCH" && r.status === 201).map((r) => r.path);
      expect(created.length).toBe(N);
      expect(new Set(created).size).toBe(N);
      // The journal holds one entry per create the provider started, on this machine only.
      expect((await readdir(journalDir)).filter((f) => f.endsWith(".json")).length).toBe(N);
      const preview = await run(["preview", "--expect-no-changes"]);
      expect(preview.code, preview.stdout.slice(-2000)).toBe(0);
    }, 150_000);
  }

  it("without the journal (recovery on another machine) the export/import fallback converges", async () => {
    // README.md ("Performance and reliability") keeps this procedure for a crashed run whose journal is elsewhere (a CI runner): the
    // killed `up` journals into one directory, every recovery command runs with another, empty one.
    const emulator = await startEmulator({ port: 0, maxLogEntries: 100_000, faults: { latencyMs: 20 } });
    emulators.push(emulator);
    const stack = await CliStack.create({
      workDir: path.join(workRoot, "fallback"),
      programDir: "bench/program",
      config: {
        "jobrouter:connectionString": { value: emulator.connectionString, secret: true },
        "bench:n": { value: String(N) },
      },
    });
    const crashed = await mkdtemp(path.join(os.tmpdir(), "jr-kill-journal-crashed-"));
    const here = await mkdtemp(path.join(os.tmpdir(), "jr-kill-journal-here-"));
    journals.push(crashed, here);
    const { result } = await upKilledAfter(stack, emulator, 50, { PULUMI_JOBROUTER_JOURNAL_DIR: crashed });
    expect(result.signal).toBe("SIGKILL");
    const run = (args: string[]): Promise<CliResult> =>
      stack.run(args, { env: { PULUMI_JOBROUTER_JOURNAL_DIR: here } });

    await unlockAfterKill(stack, run);
    const exportFile = path.join(stack.workDir, "state.json");
    must(await run(["stack", "export", "--file", exportFile]));
    const exported = JSON.parse(await readFile(exportFile, "utf8")) as { version: number; deployment: Deployment };
    const pending = (exported.deployment.pending_operations ?? []).filter((op) => op.type === "creating").length;
    const { deployment: fixed, adopted } = adoptPendingCreates(exported.deployment);
    expect(adopted.length).toBe(pending);
    await writeFile(exportFile, JSON.stringify({ ...exported, deployment: fixed }));
    must(await run(["stack", "import", "--file", exportFile]));
    must(await run(["refresh", "--yes", "--skip-preview"]));
    must(await run(["up", "--yes", "--skip-preview"]));

    expect(serviceKeys(emulator)).toEqual(expected);
    const after = await deployment(stack, exportFile);
    expect(stateObjectKeys(after)).toEqual(expected);
    expect(after.pending_operations ?? []).toEqual([]);
    const created = emulator.requests.filter((r) => r.method === "PATCH" && r.status === 201).map((r) => r.path);
    expect(created.length).toBe(N);
    expect(new Set(created).size).toBe(N);
    const preview = await run(["preview", "--expect-no-changes"]);
    expect(preview.code, preview.stdout.slice(-2000)).toBe(0);
  }, 150_000);

  it("exercised the hard case: some kill left objects on the service that the state did not record", () => {
    // For the record (quoted in README.md ("Performance and reliability")): per kill point, pending creates and unrecorded objects.
    console.log(`reliability-kill: ${JSON.stringify(seen)}`);
    expect(seen.length).toBe(3);
    expect(seen.some((s) => s.unrecorded > 0)).toBe(true);
  });
});
