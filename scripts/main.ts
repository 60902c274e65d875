// The main job (`npm start`, compiled to dist/scripts/main.js): start the Job Router emulator, deploy the root
// Pulumi program (Pulumi.yaml → dist/program) to it with the real Pulumi engine, then walk the job-routing flow the
// deployed configuration implements:
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
import { eventName, startEmulator, type RouterEvent, type RouterEventName, type RunningEmulator } from "../emulator";
import { JobRouterClient, type RouterJob } from "../provider/client";

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

export interface WalkthroughJob {
  id: string;
  assignmentId: string;
  offerId: string;
  statuses: string[];
}

export interface MainResult {
  /** Stack outputs of `pulumi up` (values only; the connection string never appears here). */
  outputs: Record<string, unknown>;
  jobs: WalkthroughJob[];
  /** The offer as the event announced it and as the worker read showed it. */
  offerFromEvent: string;
  offerFromWorker: string;
  /** When the second job's close was requested for, and when the RouterJobClosed event came. */
  closeAt: string;
  closedEventTime: string;
  /** Every routing event of the walkthrough, in order. */
  events: RouterEventName[];
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

/** Wait for an event the feed has seen or will see; a run that never gets it fails by the caller's timeout. */
function waitForEvent(
  emulator: RunningEmulator,
  name: RouterEventName,
  match: (e: RouterEvent) => boolean,
): Promise<RouterEvent> {
  return emulator.runtime.events.waitFor((e) => eventName(e) === name && match(e));
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

/** Runs one named step; a failure says which step failed and why. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`step "${name}" failed: ${why}`, { cause: err });
  }
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

    const client = JobRouterClient.fromConnectionString(emulator.connectionString);
    const eventStart = emulator.runtime.events.events().length;
    // Fresh ids each run: a run that failed half-way may have left its job or worker behind.
    const run = randomBytes(3).toString("hex");
    const workerId = `walkthrough-agent-${run}`;
    const jobIds = [`walkthrough-${run}-1`, `walkthrough-${run}-2`];
    const jobs: WalkthroughJob[] = [];

    // 1. A job with a worker selector, classified by the deployed policy (vip → priority 10).
    const submit = (id: string): Promise<RouterJob> =>
      step(`submit job ${id}`, async () => {
        const created = await client.upsertJob(id, {
          channelId: "voice",
          classificationPolicyId,
          labels: { vip: true, language: "en" },
          requestedWorkerSelectors: [{ key: "language", labelOperator: "equal", value: "en" }],
        });
        const job = await client.getJob(id);
        log(`job ${id}: ${created.value.status} → ${job.status} in ${job.queueId} at priority ${job.priority}`);
        if (job.status !== "queued" || job.queueId !== queueId) {
          throw new Error(`job ${id} is ${job.status} in ${job.queueId}, expected queued in ${queueId}`);
        }
        return job;
      });
    const [firstId, secondId] = jobIds as [string, string];
    const first = await submit(firstId);

    // 2. A matching worker.
    const offerEvent = waitForEvent(
      emulator,
      "RouterWorkerOfferIssued",
      (e) => e.data["workerId"] === workerId && e.data["jobId"] === first.id,
    );
    await step(`register worker ${workerId}`, () =>
      client.upsertWorker(workerId, {
        queues: [queueId],
        capacity: 1,
        labels: { language: "en" },
        channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
        availableForOffers: true,
      }),
    );
    log(`worker ${workerId}: registered for ${queueId}`);

    // 3. The offer, as an event and by reading the worker.
    const { offerFromEvent, offer } = await step("receive the offer", async () => {
      const issued = await withTimeout(offerEvent, 30_000, "no RouterWorkerOfferIssued event within 30 s");
      const fromEvent = String(issued.data["offerId"]);
      const worker = await client.getWorker(workerId);
      const found = worker.offers?.find((o) => o.jobId === first.id);
      if (!found) throw new Error(`worker ${workerId} shows no offer for ${first.id}`);
      if (found.offerId !== fromEvent) {
        throw new Error(`the event's offer ${fromEvent} is not the worker's offer ${found.offerId}`);
      }
      return { offerFromEvent: fromEvent, offer: found };
    });
    log(`offer ${offer.offerId}: event and worker read agree`);

    // 4–6. Accept, complete, close.
    const walk = (job: RouterJob, offerId: string, closeAt?: Date): Promise<WalkthroughJob> =>
      step(`accept, complete and close job ${job.id}`, async () => {
        const statuses: string[] = [];
        const accepted = await client.acceptJobOffer(workerId, offerId);
        statuses.push((await client.getJob(job.id)).status ?? "");
        await client.completeJob(job.id, accepted.assignmentId, { note: "resolved on the first call" });
        statuses.push((await client.getJob(job.id)).status ?? "");
        await client.closeJob(
          job.id,
          accepted.assignmentId,
          closeAt ? { dispositionCode: "Resolved", closeAt } : { dispositionCode: "Resolved" },
        );
        statuses.push((await client.getJob(job.id)).status ?? "");
        log(`job ${job.id}: ${statuses.join(" → ")}${closeAt ? ` (closing at ${closeAt.toISOString()})` : ""}`);
        return { id: job.id, assignmentId: accepted.assignmentId, offerId, statuses };
      });
    jobs.push(await walk(first, offer.offerId));

    // 7. A second job, closed with closeAt: the worker's capacity comes back only at that time.
    const secondOffer = waitForEvent(emulator, "RouterWorkerOfferIssued", (e) => e.data["jobId"] === secondId);
    const second = await submit(secondId);
    const secondOfferId = await step(`receive the offer for ${secondId}`, async () =>
      String((await withTimeout(secondOffer, 30_000, "no offer within 30 s")).data["offerId"]),
    );
    const closeAt = new Date(Date.now() + (options.closeAtDelayMs ?? 2000));
    const closedEvent = waitForEvent(emulator, "RouterJobClosed", (e) => e.data["jobId"] === second.id);
    const secondWalk = await walk(second, secondOfferId, closeAt);
    const closed = await step(`wait for ${secondId} to close at closeAt`, () =>
      withTimeout(closedEvent, 60_000, "no RouterJobClosed event within 60 s of closeAt"),
    );
    const final = await client.getJob(second.id);
    secondWalk.statuses.push(final.status ?? "");
    jobs.push(secondWalk);
    log(
      `job ${second.id}: RouterJobClosed at ${closed.eventTime}; now ${final.status}; worker load ${(await client.getWorker(workerId)).loadRatio}`,
    );

    const events = emulator.runtime.events.events().slice(eventStart).map(eventName);
    log(`events: ${events.join(", ")}`);
    for (const j of jobs) log(`final status: job ${j.id} ${(await client.getJob(j.id)).status}`);

    // Remove what the walkthrough added (a worker listing a queue blocks deleting that queue); the configuration
    // that `pulumi up` deployed stays, so the next run deploys no changes.
    await step("clean up the walkthrough's worker and jobs", async () => {
      await client.upsertWorker(workerId, { availableForOffers: false });
      await client.deleteWorker(workerId);
      for (const j of jobs) await client.deleteJob(j.id);
    });

    let destroyed = 0;
    if (options.destroy ?? process.argv.includes("--destroy")) {
      const destroy = await step("pulumi destroy", () => stack.destroy({ color: "never" }));
      destroyed = destroy.summary.resourceChanges?.["delete"] ?? 0;
      log(`pulumi destroy: ${destroyed} resource(s) deleted`);
    }

    return {
      outputs,
      jobs,
      offerFromEvent,
      offerFromWorker: offer.offerId,
      closeAt: closeAt.toISOString(),
      closedEventTime: closed.eventTime,
      events,
      changes,
      destroyed,
    };
  } finally {
    await emulator.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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
