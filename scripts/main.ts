// The main job (`npm start`, compiled to dist/scripts/main.js): start the Job Router emulator, deploy the root
// Pulumi program (Pulumi.yaml → dist/program) to it with the real Pulumi engine, then walk the job-routing flow the
// deployed configuration implements (scripts/walkthrough.ts, which the Python program's test runs too):
//
//   submit a job with a worker selector → register a matching worker → receive the offer (as a
//   RouterWorkerOfferIssued event and by reading the worker) → accept → complete → close; then close a second job
//   with `closeAt` and see the worker's capacity come back only at that time.
//
// Everything persists under .cache/main (git-ignored): the emulator's data directory and access key, the file://
// backend with its passphrase, and the stack. So a second `npm start` reuses the emulator's state, `pulumi up`
// deploys no changes, and the walkthrough runs again on the same configuration. The walkthrough removes its own
// jobs and worker at the end (a worker listing a queue would block deleting that queue), never the configuration.
// `npm start -- --destroy` tears the stack down; `npm start -- --reset` starts from nothing.
// Optional: JOBROUTER_EVENT_WEBHOOKS=url1,url2 also delivers every routing event to those URLs.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type OutputMap } from "@pulumi/pulumi/automation";
import { startEmulator } from "../emulator";
import { JobRouterClient } from "../provider/client";
import { runWalkthrough, step, type WalkthroughResult } from "./walkthrough";

export type { WalkthroughJob } from "./walkthrough";

/** The repository root: the nearest directory up from here with the development root's package.json (src or dist). */
function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === "pulumi-jobrouter-dev"
    ) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("main: cannot find the pulumi-jobrouter repository root");
    dir = parent;
  }
}
const repoRoot = findRepoRoot();

export interface MainOptions {
  /** Where progress lines go; default stdout. */
  log?: (line: string) => void;
  /** Where the emulator data, backend, stack and secrets persist between runs; default <repo>/.cache/main. */
  home?: string;
  /** Destroy the stack (after the walkthrough) instead of keeping it deployed. */
  destroy?: boolean;
  /** How far in the future the second job's `closeAt` is; default 2000 ms. */
  closeAtDelayMs?: number;
  /** Event webhook URLs for the emulator (default: JOBROUTER_EVENT_WEBHOOKS, comma-separated). */
  eventWebhooks?: string[];
}

export interface MainResult extends WalkthroughResult {
  /** Stack outputs of `pulumi up` (values only; the connection string never appears here). */
  outputs: Record<string, unknown>;
  /** What `pulumi up` did: resource changes by kind (e.g. {create: 8} the first time, {same: 8} after). */
  changes: Record<string, number>;
  /** Resources `pulumi destroy` deleted (0 unless `destroy` was asked for). */
  destroyed: number;
}

function pulumiEnv(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const version = pkg.dependencies["@pulumi/pulumi"] ?? "";
  const binDir = path.join(repoRoot, ".cache", "pulumi", version, "bin");
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env.PATH = [binDir, path.join(repoRoot, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter);
  env.PULUMI_SKIP_UPDATE_CHECK = "true";
  env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
  env.PULUMI_PINNED_BIN_DIR = binDir;
  return env;
}

function ensurePulumi(): void {
  const r = spawnSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi"), "--quiet"], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) throw new Error("scripts/ensure-pulumi failed; run it directly to see why");
}

function outputValues(outputs: OutputMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(outputs)) out[k] = v.secret ? "[secret]" : v.value;
  return out;
}

function requireString(outputs: Record<string, unknown>, key: string): string {
  const v = outputs[key];
  if (typeof v !== "string" || v === "") throw new Error(`pulumi up: stack output ${key} is missing`);
  return v;
}

/** Secrets generated on the first run and reused after: the emulator's access key and the stack's passphrase. */
interface MainSecrets {
  accessKey: string;
  passphrase: string;
  /** The emulator's port on the previous run. */
  port?: number;
}

async function saveSecrets(home: string, secrets: MainSecrets): Promise<void> {
  const file = path.join(home, "secrets.json");
  await writeFile(file, JSON.stringify(secrets), { mode: 0o600 });
  await chmod(file, 0o600);
}

async function loadSecrets(home: string): Promise<MainSecrets> {
  const file = path.join(home, "secrets.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as MainSecrets;
  const secrets: MainSecrets = {
    accessKey: randomBytes(32).toString("base64"),
    passphrase: randomBytes(16).toString("hex"),
  };
  await saveSecrets(home, secrets);
  return secrets;
}

export async function runMain(options: MainOptions = {}): Promise<MainResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (
    !existsSync(path.join(repoRoot, "node_modules", "pulumi-jobrouter", "package.json")) ||
    !existsSync(path.join(repoRoot, "dist", "program", "index.js"))
  ) {
    throw new Error("the package is not built: run `npm run build` (npm ci does it) before `npm start`");
  }
  await step("make the Pulumi CLI available (scripts/ensure-pulumi)", async () => ensurePulumi());
  const env = pulumiEnv();
  const binDir = env.PULUMI_PINNED_BIN_DIR ?? "";
  delete env.PULUMI_PINNED_BIN_DIR;

  const home = options.home ?? path.join(repoRoot, ".cache", "main");
  const projectDir = path.join(home, "project");
  const backendDir = path.join(home, "backend");
  const pulumiHome = path.join(home, "pulumi-home");
  const dataDir = path.join(home, "emulator-data");
  for (const dir of [projectDir, backendDir, pulumiHome, dataDir]) await mkdir(dir, { recursive: true });
  const secrets = await loadSecrets(home);

  const webhooks =
    options.eventWebhooks ??
    (process.env.JOBROUTER_EVENT_WEBHOOKS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  // The emulator keeps its objects in dataDir, so what the previous run deployed is still there.
  // The same port as last time, when it is free: the connection string (and with it the routing objects' secret
  // `connection` input) then stays the same, so an unchanged program deploys no changes.
  const emulator = await step("start the Job Router emulator", async () => {
    const start = (port: number) =>
      startEmulator({ port, accessKey: secrets.accessKey, dataDir, runtime: { eventWebhooks: webhooks } });
    const previous = secrets.port ?? 0;
    const started = await start(previous).catch((err: unknown) => {
      if (previous === 0) throw err;
      log(`emulator: port ${previous} is taken; using a new one (the next pulumi up updates the connection)`);
      return start(0);
    });
    if (started.port !== previous) await saveSecrets(home, { ...secrets, port: started.port });
    return started;
  });
  log(
    `emulator: ${emulator.endpoint} (data in ${path.relative(repoRoot, dataDir)})` +
      (webhooks.length > 0 ? ` (events also to ${webhooks.length} webhook(s))` : ""),
  );

  try {
    // The root project, with its stack files kept out of the repository: the same Pulumi.yaml, and a main that
    // loads the compiled root program (which requires "pulumi-jobrouter" by name, resolved from this repository).
    const projectYaml = readFileSync(path.join(repoRoot, "Pulumi.yaml"), "utf8").replace(
      /^main:.*$/m,
      "main: index.js",
    );
    await writeFile(path.join(projectDir, "Pulumi.yaml"), projectYaml);
    await writeFile(
      path.join(projectDir, "index.js"),
      `// Generated by scripts/main.ts: the root program, compiled by the root build.\nmodule.exports = require(${JSON.stringify(path.join(repoRoot, "dist", "program", "index.js"))});\n`,
    );
    const envVars = {
      ...env,
      PULUMI_BACKEND_URL: `file://${backendDir}`,
      PULUMI_CONFIG_PASSPHRASE: secrets.passphrase,
      PULUMI_HOME: pulumiHome,
    };
    const stack = await step("select the stack", async () => {
      const pulumiCommand = await PulumiCommand.get({ root: path.dirname(binDir) });
      const s = await LocalWorkspace.createOrSelectStack(
        { stackName: "main", workDir: projectDir },
        { workDir: projectDir, pulumiHome, pulumiCommand, envVars, secretsProvider: "passphrase" },
      );
      // The port changes from run to run; the providers read the connection at call time, so this is no diff.
      await s.setConfig("jobrouter:connectionString", { value: emulator.connectionString, secret: true });
      return s;
    });

    log("pulumi up (root program: the quickstart contact center) …");
    const up = await step("pulumi up", () =>
      // Show the engine's own progress when run as `npm start`; tests pass `log` and read the summary instead.
      stack.up({ color: "never", onOutput: options.log ? undefined : (out) => process.stdout.write(out) }),
    );
    const outputs = outputValues(up.outputs);
    const changes = up.summary.resourceChanges ?? {};
    log(`pulumi up: ${JSON.stringify(changes)}`);
    log(`outputs: ${JSON.stringify(outputs)}`);
    const queueId = requireString(outputs, "queueId");
    const classificationPolicyId = requireString(outputs, "classificationPolicyId");
    log(`deployed: queue ${queueId}, classification policy ${classificationPolicyId}`);

    const walked = await runWalkthrough({
      emulator,
      client: JobRouterClient.fromConnectionString(emulator.connectionString),
      queueId,
      classificationPolicyId,
      closeAtDelayMs: options.closeAtDelayMs,
      log,
    });

    let destroyed = 0;
    if (options.destroy ?? process.argv.includes("--destroy")) {
      const destroy = await step("pulumi destroy", () => stack.destroy({ color: "never" }));
      destroyed = destroy.summary.resourceChanges?.["delete"] ?? 0;
      log(`pulumi destroy: ${destroyed} resource(s) deleted`);
    }

    return { outputs, ...walked, changes, destroyed };
  } finally {
    await emulator.close();
  }
}

if (require.main === module) {
  const start = async (): Promise<MainResult> => {
    if (process.argv.includes("--reset"))
      await rm(path.join(repoRoot, ".cache", "main"), { recursive: true, force: true });
    return runMain();
  };
  start().then(
    () => {
      console.log("main: done");
    },
    (err: unknown) => {
      console.error(`main: failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
