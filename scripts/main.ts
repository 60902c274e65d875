// The main job (`npm start`, compiled to dist/scripts/main.js): start the Job Router emulator, deploy the root
// Pulumi program (Pulumi.yaml → dist/program) to it with the real Pulumi engine, then walk the job-routing flow the
// deployed configuration implements:
//
//   submit a job with a worker selector → register a matching worker → receive the offer (as a
//   RouterWorkerOfferIssued event and by reading the worker) → accept → complete → close; then close a second job
//   with `closeAt` and see the worker's capacity come back only at that time.
//
// Finally the walkthrough's job and worker are removed and the stack is destroyed, so every run starts clean.
// State lives in a throw-away file:// backend under .cache/main (git-ignored); `--keep` (or MAIN_KEEP=1) keeps it.
// Optional: JOBROUTER_EVENT_WEBHOOKS=url1,url2 also delivers every routing event to those URLs.

import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type OutputMap } from "@pulumi/pulumi/automation";
import { startEmulator, type RunningEmulator } from "../emulator";
import { eventName, type RouterEvent, type RouterEventName } from "../emulator/runtime";
import { JobRouterClient, type RouterJob } from "../provider/client";

/** The repository root: the nearest directory up from here with this package's package.json (src or dist). */
function findRepoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, "package.json");
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === "pulumi-jobrouter"
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
  /** Keep the backend and project copy under .cache/main after the run. */
  keep?: boolean;
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
  /** Resources `pulumi up` created, and how many the final `pulumi destroy` deleted. */
  created: number;
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

export async function runMain(options: MainOptions = {}): Promise<MainResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (
    !existsSync(path.join(repoRoot, "node_modules", "pulumi-jobrouter", "package.json")) ||
    !existsSync(path.join(repoRoot, "dist", "program", "index.js"))
  ) {
    throw new Error("the package is not built: run `npm run build` (npm ci does it) before `npm start`");
  }
  ensurePulumi();
  const env = pulumiEnv();
  const binDir = env.PULUMI_PINNED_BIN_DIR ?? "";
  delete env.PULUMI_PINNED_BIN_DIR;

  const webhooks =
    options.eventWebhooks ??
    (process.env.JOBROUTER_EVENT_WEBHOOKS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
  const emulator = await startEmulator({ runtime: { eventWebhooks: webhooks } });
  log(`emulator: ${emulator.endpoint}${webhooks.length > 0 ? ` (events also to ${webhooks.length} webhook(s))` : ""}`);

  const workDir = path.join(repoRoot, ".cache", "main", `run-${randomBytes(4).toString("hex")}`);
  const projectDir = path.join(workDir, "project");
  const backendDir = path.join(workDir, "backend");
  const pulumiHome = path.join(workDir, "pulumi-home");
  try {
    await mkdir(projectDir, { recursive: true });
    await mkdir(backendDir, { recursive: true });
    await mkdir(pulumiHome, { recursive: true });
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
      PULUMI_CONFIG_PASSPHRASE: randomBytes(12).toString("hex"),
      PULUMI_HOME: pulumiHome,
    };
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(binDir) });
    const stack = await LocalWorkspace.createStack(
      { stackName: "main", workDir: projectDir },
      { workDir: projectDir, pulumiHome, pulumiCommand, envVars, secretsProvider: "passphrase" },
    );
    await stack.setConfig("jobrouter:connectionString", { value: emulator.connectionString, secret: true });

    log("pulumi up (root program: the quickstart contact center) …");
    const up = await stack.up({ color: "never" });
    const outputs = outputValues(up.outputs);
    const created = up.summary.resourceChanges?.["create"] ?? 0;
    log(`pulumi up: ${JSON.stringify(up.summary.resourceChanges ?? {})}`);
    const queueId = requireString(outputs, "queueId");
    const classificationPolicyId = requireString(outputs, "classificationPolicyId");
    log(`deployed: queue ${queueId}, classification policy ${classificationPolicyId}`);

    const client = JobRouterClient.fromConnectionString(emulator.connectionString);
    const eventStart = emulator.runtime.events.events().length;
    const workerId = "walkthrough-agent";
    const jobs: WalkthroughJob[] = [];

    // 1. A job with a worker selector, classified by the deployed policy (vip → priority 10).
    const submit = async (id: string): Promise<RouterJob> => {
      const created = await client.upsertJob(id, {
        channelId: "voice",
        classificationPolicyId,
        labels: { vip: true, language: "en" },
        requestedWorkerSelectors: [{ key: "language", labelOperator: "equal", value: "en" }],
      });
      const job = await client.getJob(id);
      log(`job ${id}: ${created.value.status} → ${job.status} in ${job.queueId} at priority ${job.priority}`);
      return job;
    };
    const first = await submit("walkthrough-job-1");
    if (first.status !== "queued" || first.queueId !== queueId)
      throw new Error(`job ${first.id} was not queued in ${queueId}`);

    // 2. A matching worker.
    const offerEvent = waitForEvent(
      emulator,
      "RouterWorkerOfferIssued",
      (e) => e.data["workerId"] === workerId && e.data["jobId"] === first.id,
    );
    await client.upsertWorker(workerId, {
      queues: [queueId],
      capacity: 1,
      labels: { language: "en" },
      channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
      availableForOffers: true,
    });
    log(`worker ${workerId}: registered for ${queueId}`);

    // 3. The offer, as an event and by reading the worker.
    const issued = await offerEvent;
    const offerFromEvent = String(issued.data["offerId"]);
    const worker = await client.getWorker(workerId);
    const offer = worker.offers?.find((o) => o.jobId === first.id);
    if (!offer) throw new Error(`worker ${workerId} shows no offer for ${first.id}`);
    log(
      `offer ${offer.offerId}: event ${offerFromEvent === offer.offerId ? "and worker read agree" : "DISAGREES with the worker read"}`,
    );

    // 4–6. Accept, complete, close.
    const walk = async (job: RouterJob, offerId: string, closeAt?: Date): Promise<WalkthroughJob> => {
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
    };
    jobs.push(await walk(first, offer.offerId));

    // 7. A second job, closed with closeAt: the worker's capacity comes back only at that time.
    const secondOffer = waitForEvent(
      emulator,
      "RouterWorkerOfferIssued",
      (e) => e.data["jobId"] === "walkthrough-job-2",
    );
    const second = await submit("walkthrough-job-2");
    const secondOfferId = String((await secondOffer).data["offerId"]);
    const closeAt = new Date(Date.now() + (options.closeAtDelayMs ?? 2000));
    const closedEvent = waitForEvent(emulator, "RouterJobClosed", (e) => e.data["jobId"] === second.id);
    const secondWalk = await walk(second, secondOfferId, closeAt);
    const closed = await closedEvent;
    const final = await client.getJob(second.id);
    secondWalk.statuses.push(final.status ?? "");
    jobs.push(secondWalk);
    log(
      `job ${second.id}: RouterJobClosed at ${closed.eventTime}; now ${final.status}; worker load ${(await client.getWorker(workerId)).loadRatio}`,
    );

    const events = emulator.runtime.events.events().slice(eventStart).map(eventName);
    log(`events: ${events.join(", ")}`);

    // Clean up what the walkthrough added (a worker listing a queue blocks its deletion), then destroy the stack.
    await client.upsertWorker(workerId, { availableForOffers: false });
    await client.deleteWorker(workerId);
    for (const j of jobs) await client.deleteJob(j.id);
    const destroy = await stack.destroy({ color: "never" });
    const destroyed = destroy.summary.resourceChanges?.["delete"] ?? 0;
    log(`pulumi destroy: ${destroyed} resource(s) deleted`);

    return {
      outputs,
      jobs,
      offerFromEvent,
      offerFromWorker: offer.offerId,
      closeAt: closeAt.toISOString(),
      closedEventTime: closed.eventTime,
      events,
      created,
      destroyed,
    };
  } finally {
    await emulator.close();
    if (!(options.keep ?? (process.argv.includes("--keep") || process.env.MAIN_KEEP === "1"))) {
      await rm(workDir, { recursive: true, force: true });
    } else {
      log(`kept ${workDir}`);
    }
  }
}

if (require.main === module) {
  runMain().then(
    () => {
      console.log("main: done");
    },
    (err: unknown) => {
      console.error(`main: failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    },
  );
}
