// Every request is bounded, through the real engine: the program's endpoint is a local server (port 0) that accepts
// connections and never answers.
//  - `pulumi up` with `jobrouter:requestTimeoutSeconds` = 1 fails with the timeout error naming the endpoint, the
//    timeout and the config key, after 3 attempts;
//  - one SIGTERM to the `pulumi` CLI while a request hangs (timeout 600 s, so only the cancellation can end it): the
//    engine calls the provider's Cancel, the request is ended, and the CLI exits. The test gives it until a guard
//    (well inside the test timeout) before it sends a second signal and fails.

import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as path from "node:path";
import { rm } from "node:fs/promises";
import { startSilentServer, type SilentServer } from "./harness/silentServer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliStack, repoRoot, type CliResult } from "../../bench/cli";
import { isRunning, processTree } from "../../bench/procs";

const workRoot = path.join(repoRoot, ".cache", "e2e", `request-timeout-${process.pid}-${Date.now()}`);
const KEY = randomBytes(32).toString("base64");
/** How long the SIGTERM test waits for the CLI to exit before it gives up (the test's own timeout is longer). */
const EXIT_GUARD_MS = 150_000;

type Guarded = { exited: true; r: CliResult; seconds: number } | { exited: false; seconds: number };

/**
 * Runs `pulumi <args>`; `whileRunning` gets the CLI once started. If the CLI has not exited EXIT_GUARD_MS after
 * `armedAt()` (default: the start), the whole process tree is SIGKILLed, so a regression fails the test and leaves
 * nothing running.
 */
async function runGuarded(
  stack: CliStack,
  args: string[],
  whileRunning?: (cli: ChildProcess) => Promise<void>,
): Promise<Guarded> {
  let child: ChildProcess | undefined;
  const running = stack.run(args, { onSpawn: (c) => (child = c) });
  const cli = child as ChildProcess | undefined;
  if (cli?.pid === undefined) throw new Error("the pulumi CLI did not start");
  const pid = cli.pid;
  let tree: number[] = [pid];
  const watch = setInterval(() => {
    tree = [...new Set([...tree, ...processTree(pid).map((p) => p.pid)])];
  }, 200);
  let armedAt = Date.now();
  if (whileRunning) {
    await whileRunning(cli);
    armedAt = Date.now();
  }
  let guard: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    running.then((r) => ({ exited: true as const, r })),
    new Promise<{ exited: false }>((resolve) => {
      guard = setTimeout(() => resolve({ exited: false }), EXIT_GUARD_MS);
    }),
  ]);
  clearTimeout(guard);
  clearInterval(watch);
  const seconds = Math.round((Date.now() - armedAt) / 1000);
  if (!outcome.exited) {
    for (const p of tree) if (isRunning(p)) process.kill(p, "SIGKILL");
    await running;
    return { exited: false, seconds };
  }
  for (let i = 0; i < 50 && tree.some(isRunning); i++) await new Promise((r) => setTimeout(r, 100));
  return { ...outcome, seconds };
}

describe("every request is bounded (real engine, a server that never answers)", () => {
  let silent: SilentServer;

  beforeAll(async () => {
    silent = await startSilentServer();
  });
  afterAll(async () => {
    await silent?.close();
    if (!process.env.E2E_KEEP) await rm(workRoot, { recursive: true, force: true });
  });

  async function stackFor(name: string, timeoutSeconds: string): Promise<CliStack> {
    return CliStack.create({
      workDir: path.join(workRoot, name),
      programDir: "test/e2e/harness/fixtures/one-policy",
      stackName: "test",
      config: {
        "jobrouter:connectionString": { value: `endpoint=${silent.endpoint}/;accesskey=${KEY}`, secret: true },
        "jobrouter:requestTimeoutSeconds": { value: timeoutSeconds },
      },
    });
  }

  it(
    "up fails with the timeout error naming the endpoint, the timeout and the fix, after 3 attempts",
    async () => {
      const stack = await stackFor("timeout", "1");
      const before = silent.connections;
      const run = await runGuarded(stack, ["up", "--yes", "--skip-preview"]);
      if (!run.exited) {
        console.log(`timeout-log up: had not ended ${run.seconds} s after it started; killed`);
        expect.fail(`pulumi up did not end within ${EXIT_GUARD_MS / 1000} s`);
        return;
      }
      const r = run.r;
      const out = `${r.stdout}\n${r.stderr}`;
      const attempts = silent.connections - before;
      console.log(`timeout-log up exit ${r.code}, connections ${attempts}`);
      console.log(`timeout-log ${/error: (jobrouter: creating[^\n]*)/.exec(out)?.[1] ?? out.slice(-1500)}`);
      expect(r.code).not.toBe(0);
      expect(out).toContain(
        `jobrouter: creating distribution policy "hang-dp" failed: GET /routing/distributionPolicies/hang-dp failed: ` +
          `no answer within 1 s (the per-attempt timeout) from ${silent.endpoint} (3 attempts over`,
      );
      expect(out).toContain("raise the per-attempt timeout (the stack config `jobrouter:requestTimeoutSeconds`");
      expect(out).not.toContain(KEY);
      expect(attempts).toBe(3);
    },
    EXIT_GUARD_MS + 60_000,
  );

  it(
    "one SIGTERM to the CLI while a request hangs ends the request and the CLI",
    async () => {
      const stack = await stackFor("sigterm", "600");
      const before = silent.connections;
      let tree: number[] = [];
      const outcome = await runGuarded(stack, ["up", "--yes", "--skip-preview"], async (cli) => {
        // Wait for the provider's request to be in flight (the server has accepted its connection).
        while (silent.connections === before) await new Promise((r) => setTimeout(r, 100));
        tree = processTree(cli.pid ?? 0).map((p) => p.pid);
        cli.kill("SIGTERM");
      });
      const seconds = outcome.seconds;
      if (!outcome.exited) {
        console.log(`timeout-log sigterm: the CLI had not exited ${seconds} s after one SIGTERM; killed`);
        expect.fail(`the pulumi CLI did not exit within ${EXIT_GUARD_MS / 1000} s of one SIGTERM`);
        return;
      }
      const out = `${outcome.r.stdout}\n${outcome.r.stderr}`;
      console.log(
        `timeout-log sigterm: the CLI exited (code ${outcome.r.code}, signal ${outcome.r.signal}) ${seconds} s after one SIGTERM; ` +
          `connections ${silent.connections - before}, still open ${silent.open}`,
      );
      console.log(`timeout-log sigterm: ${/error: (jobrouter: [^\n]*)/.exec(out)?.[1] ?? out.slice(-1500)}`);
      expect(outcome.r.code).not.toBe(0);
      expect(out).toContain('jobrouter: creating distribution policy "hang-dp" was cancelled');
      // The provider ended its request: the server sees the connection closed, and no other attempt follows.
      expect(silent.connections - before).toBe(1);
      for (let i = 0; i < 50 && silent.open > 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(silent.open).toBe(0);
      // Nothing of the run is left running.
      for (let i = 0; i < 50 && tree.some(isRunning); i++) await new Promise((r) => setTimeout(r, 100));
      expect(tree.filter(isRunning)).toEqual([]);
    },
    EXIT_GUARD_MS + 120_000,
  );
});
