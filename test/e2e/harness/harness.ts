// The end-to-end harness: drives the real Pulumi CLI (scripts/ensure-pulumi) through the Automation API against a
// fresh Job Router emulator, with a throw-away local file:// backend and passphrase secrets per harness.
//
//   const h = await createHarness({ name: "queues" });
//   await h.stack({ programDir: "test/e2e/programs/queues" });   // a program on disk: CLI → language host → program
//   // or: await h.stack(async () => { new Queue(...) });        // an inline program (runs in the test process)
//   await h.up();
//   const preview = await h.previewJson();                      // `preview --json` steps, with detailedDiff
//   const state = await h.state();                              // the checkpoint file of the backend
//   h.emulator.requests                                         // every request the emulator answered
//   await h.stack(program, { freshRunner: true });              // GitOps: each command on a new HOME/PULUMI_HOME/journal
//   await h.dispose();

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { cp, mkdir, readdir, readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import {
  LocalWorkspace,
  PulumiCommand,
  type ConfigMap,
  type DestroyOptions,
  type DestroyResult,
  type EngineEvent,
  type PreviewOptions,
  type PreviewResult,
  type PulumiFn,
  type RefreshOptions,
  type RefreshResult,
  type Stack,
  type UpOptions,
  type UpResult,
} from "@pulumi/pulumi/automation";
import {
  signRequest,
  startEmulator,
  type EmulatorOptions,
  type RequestLogEntry,
  type RunningEmulator,
} from "pulumi-jobrouter/emulator";
import { e2eWorkRoot, installedPackageDir, pulumiBinDir, pulumiEnv, pulumiVersion, repoRoot } from "./paths";
import type { PreviewJson, PreviewStep, StateFile, StateResource } from "./types";

/** The stack config key that carries the emulator's connection string (always set as a secret). */
export const CONNECTION_STRING_KEY = "jobrouter:connectionString";

export interface HarnessOptions {
  /** Names the working directory, the project of inline programs, and messages. Letters, digits, dashes. */
  name: string;
  /** Options for this harness's emulator (always on port 0 unless given). */
  emulator?: EmulatorOptions;
  /** The stack name; default "test". */
  stackName?: string;
  /** Keep the working directory (backend, state, copied program) after dispose(), to debug a failure. */
  keep?: boolean;
}

/** A program on disk: its directory (with Pulumi.yaml) is copied into the harness's working directory. */
export interface ProgramDir {
  programDir: string;
}

export interface StackOptions {
  /** Extra stack config; plain strings are stored as plain values. */
  config?: ConfigMap;
  /**
   * GitOps mode: every command runs as on a fresh CI runner, with its own new HOME, PULUMI_HOME and
   * PULUMI_JOBROUTER_JOURNAL_DIR; only the file:// backend and the project directory (the checkout, with its
   * Pulumi.<stack>.yaml) are shared between commands.
   */
  freshRunner?: boolean;
  /** The project name of an inline program; default the harness name. */
  project?: string;
}

export interface Harness {
  readonly name: string;
  /** Unique per harness, under .cache/e2e (git-ignored); removed by dispose() unless `keep`. */
  readonly workDir: string;
  /** `file://…`: the local backend all of this harness's stacks live in. */
  readonly backendUrl: string;
  /** The passphrase of the passphrase secrets provider. */
  readonly passphrase: string;
  readonly emulator: RunningEmulator;
  /** The environment the CLI and its plugins run with. */
  readonly env: Record<string, string>;
  /** Shorthand for emulator.requests: every request, 401s included, oldest first. */
  readonly requests: RequestLogEntry[];

  /** Creates the stack (the harness's current one) for an inline program or a program directory. */
  stack(program: PulumiFn | ProgramDir, options?: StackOptions): Promise<HarnessStack>;
  /** The current stack (the last one created); throws before stack(). */
  current(): HarnessStack;

  up(options?: UpOptions): Promise<UpResult>;
  preview(options?: PreviewOptions): Promise<PreviewResult>;
  previewJson(options?: PreviewOptions): Promise<PreviewJson>;
  refresh(options?: RefreshOptions): Promise<RefreshResult>;
  destroy(options?: DestroyOptions): Promise<DestroyResult>;
  state(): Promise<StateFile>;
  stateText(): Promise<string>;
  resources(type?: string): Promise<StateResource[]>;

  /** Runs `fn` with an empty request log and returns its result and the requests it caused. */
  track<T>(fn: () => Promise<T>): Promise<{ result: T; requests: RequestLogEntry[] }>;
  /** A signed request straight to the emulator (not through the engine), e.g. to check what a deployment made. */
  request(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: unknown }>;

  dispose(): Promise<void>;
}

export interface HarnessStack {
  readonly name: string;
  /** The Automation API stack, for anything the helpers don't cover. */
  readonly stack: Stack;
  /** "inline" runs the program in the test process; "directory" runs it through the CLI's language host. */
  readonly kind: "inline" | "directory";
  /** The project directory (Pulumi.yaml); the engine starts plugins here. */
  readonly projectDir: string;

  up(options?: UpOptions): Promise<UpResult>;
  preview(options?: PreviewOptions): Promise<PreviewResult>;
  previewJson(options?: PreviewOptions): Promise<PreviewJson>;
  refresh(options?: RefreshOptions): Promise<RefreshResult>;
  destroy(options?: DestroyOptions): Promise<DestroyResult>;
  setConfig(config: ConfigMap): Promise<void>;
  /** The checkpoint file, as the file backend stores it. */
  state(): Promise<StateFile>;
  /** The checkpoint file's raw text (e.g. to assert a secret appears nowhere in plaintext). */
  stateText(): Promise<string>;
  /** Resources in the state, optionally only those of one type token. */
  resources(type?: string): Promise<StateResource[]>;
  /** `pulumi stack export`, through the CLI. */
  exportState(): Promise<unknown>;
  /** Runs `pulumi <args>` in the project directory (on a fresh runner in freshRunner mode); never throws. */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The environment of the next command (in freshRunner mode, a fresh runner's: new HOME and journal). */
  runnerEnv(): Promise<Record<string, string>>;
  /** The project name. */
  readonly project: string;
}

const NAME_RULE = /^[a-z0-9][a-z0-9-]{0,40}$/i;

export async function createHarness(options: HarnessOptions): Promise<Harness> {
  if (!NAME_RULE.test(options.name)) {
    throw new Error(
      `createHarness: name must match ${NAME_RULE} (letters, digits, dashes), got ${JSON.stringify(options.name)}`,
    );
  }
  if (!existsSync(path.join(pulumiBinDir, "pulumi"))) {
    throw new Error(
      `createHarness: no Pulumi CLI at ${pulumiBinDir}; run \`npm run ensure-pulumi\` (or npm test, which does)`,
    );
  }
  if (!existsSync(path.join(installedPackageDir, "package.json"))) {
    throw new Error("createHarness: node_modules/pulumi-jobrouter is missing; run `npm run build` first");
  }

  const name = options.name;
  const stackName = options.stackName ?? "test";
  const workDir = path.join(e2eWorkRoot, `${name}-${randomBytes(4).toString("hex")}`);
  const backendDir = path.join(workDir, "backend");
  const pulumiHome = path.join(workDir, "pulumi-home");
  await mkdir(backendDir, { recursive: true });
  await mkdir(pulumiHome, { recursive: true });
  const backendUrl = `file://${backendDir}`;
  const passphrase = randomBytes(12).toString("hex");

  const emulator = await startEmulator({ port: 0, ...options.emulator });
  const env: Record<string, string> = {
    ...pulumiEnv(process.env),
    PULUMI_BACKEND_URL: backendUrl,
    PULUMI_CONFIG_PASSPHRASE: passphrase,
    PULUMI_HOME: pulumiHome,
  };
  // Automation API merges envVars into the CLI's environment; the CLI passes it on to its plugins.
  const envVars = { ...env };
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(pulumiBinDir) });
  if (pulumiCommand.version?.toString() !== pulumiVersion) {
    throw new Error(`createHarness: the CLI at ${pulumiBinDir} is ${pulumiCommand.version}, expected ${pulumiVersion}`);
  }

  let currentStack: HarnessStack | undefined;
  let stackCount = 0;

  async function makeStack(program: PulumiFn | ProgramDir, stackOptions: StackOptions = {}): Promise<HarnessStack> {
    stackCount += 1;
    const thisStackName = stackCount === 1 ? stackName : `${stackName}${stackCount}`;
    let stack: Stack;
    let projectDir: string;
    let kind: HarnessStack["kind"];
    const project = stackOptions.project ?? name;
    if (typeof program === "function") {
      kind = "inline";
      projectDir = path.join(workDir, `inline-${stackCount}`);
      await mkdir(projectDir, { recursive: true });
      stack = await LocalWorkspace.createStack(
        { stackName: thisStackName, projectName: project, program },
        {
          workDir: projectDir,
          pulumiHome,
          pulumiCommand,
          envVars,
          secretsProvider: "passphrase",
          projectSettings: { name: project, runtime: "nodejs", backend: { url: backendUrl } },
        },
      );
    } else {
      kind = "directory";
      const source = path.resolve(repoRoot, program.programDir);
      if (!existsSync(path.join(source, "Pulumi.yaml"))) {
        throw new Error(`harness.stack: programDir ${source} has no Pulumi.yaml`);
      }
      projectDir = path.join(workDir, `program-${stackCount}`);
      // A copy, so stack files (Pulumi.<stack>.yaml) land in the throw-away directory, not the repository.
      await cp(source, projectDir, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
      stack = await LocalWorkspace.createStack(
        { stackName: thisStackName, workDir: projectDir },
        { workDir: projectDir, pulumiHome, pulumiCommand, envVars, secretsProvider: "passphrase" },
      );
    }
    await stack.setAllConfig({
      [CONNECTION_STRING_KEY]: { value: emulator.connectionString, secret: true },
      ...stackOptions.config,
    });
    let runnerCount = 0;
    // A fresh runner: new HOME, PULUMI_HOME and journal directory, under this stack's own folder.
    const freshEnv = async (): Promise<Record<string, string>> => {
      runnerCount += 1;
      const dir = path.join(workDir, "runners", `${thisStackName}-${runnerCount}`);
      const runnerEnv: Record<string, string> = {
        ...env,
        HOME: path.join(dir, "home"),
        PULUMI_HOME: path.join(dir, "home", ".pulumi"),
        PULUMI_JOBROUTER_JOURNAL_DIR: path.join(dir, "journal"),
      };
      await mkdir(runnerEnv.PULUMI_HOME ?? dir, { recursive: true });
      return runnerEnv;
    };
    const runner: Runner = stackOptions.freshRunner
      ? {
          env: freshEnv,
          async stack() {
            const runnerEnv = await freshEnv();
            const options = {
              workDir: projectDir,
              pulumiHome: runnerEnv.PULUMI_HOME,
              pulumiCommand,
              envVars: runnerEnv,
            };
            if (typeof program === "function") {
              return LocalWorkspace.selectStack(
                { stackName: thisStackName, projectName: project, program },
                { ...options, projectSettings: { name: project, runtime: "nodejs", backend: { url: backendUrl } } },
              );
            }
            return LocalWorkspace.selectStack({ stackName: thisStackName, workDir: projectDir }, options);
          },
        }
      : { env: async () => env, stack: async () => stack };
    const harnessStack = newHarnessStack(stack, kind, projectDir, backendDir, runner, project);
    currentStack = harnessStack;
    return harnessStack;
  }

  function current(): HarnessStack {
    if (!currentStack) throw new Error(`harness ${name}: call h.stack(program) before operating on the stack`);
    return currentStack;
  }

  let disposed = false;
  return {
    name,
    workDir,
    backendUrl,
    passphrase,
    emulator,
    env,
    get requests() {
      return emulator.requests;
    },
    stack: makeStack,
    current,
    up: (o) => current().up(o),
    preview: (o) => current().preview(o),
    previewJson: (o) => current().previewJson(o),
    refresh: (o) => current().refresh(o),
    destroy: (o) => current().destroy(o),
    state: () => current().state(),
    stateText: () => current().stateText(),
    resources: (type) => current().resources(type),
    async track(fn) {
      emulator.clearRequests();
      const result = await fn();
      return { result, requests: [...emulator.requests] };
    },
    request: (method, apiPath, body) => signedRequest(emulator, method, apiPath, body),
    async dispose() {
      if (disposed) return;
      disposed = true;
      await emulator.close();
      if (!options.keep && !process.env.E2E_KEEP) await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Where each command of a stack runs: always the same machine, or a fresh runner per command. */
interface Runner {
  env(): Promise<Record<string, string>>;
  stack(): Promise<Stack>;
}

function newHarnessStack(
  stack: Stack,
  kind: HarnessStack["kind"],
  projectDir: string,
  backendDir: string,
  runner: Runner,
  project: string,
): HarnessStack {
  // Engine output goes to the test's output only on failure (Automation API puts it in the error), so the
  // defaults keep passing runs quiet.
  const withDefaults = <T extends object>(o: T | undefined): T => ({ color: "never", ...o }) as T;

  async function stateText(): Promise<string> {
    const file = await findCheckpoint(backendDir, stack.name);
    return readFile(file, "utf8");
  }

  const self: HarnessStack = {
    name: stack.name,
    stack,
    kind,
    projectDir,
    project,
    up: async (o) => (await runner.stack()).up(withDefaults(o)),
    preview: async (o) => (await runner.stack()).preview(withDefaults(o)),
    refresh: async (o) => (await runner.stack()).refresh(withDefaults(o)),
    destroy: async (o) => (await runner.stack()).destroy(withDefaults(o)),
    async previewJson(o) {
      return kind === "directory"
        ? cliPreviewJson(projectDir, stack.name, await runner.env())
        : eventPreviewJson(await runner.stack(), withDefaults(o));
    },
    runnerEnv: () => runner.env(),
    async cli(args) {
      return run(path.join(pulumiBinDir, "pulumi"), [...args, "--non-interactive"], projectDir, await runner.env());
    },
    setConfig: (config) => stack.setAllConfig(config),
    stateText,
    async state() {
      return JSON.parse(await stateText()) as StateFile;
    },
    async resources(type) {
      const state = JSON.parse(await stateText()) as StateFile;
      const all = state.checkpoint.latest?.resources ?? [];
      return type ? all.filter((r) => r.type === type) : all;
    },
    async exportState() {
      const deployment = await (await runner.stack()).exportStack();
      return deployment.deployment;
    },
  };
  return self;
}

/** The file backend keeps `<dir>/.pulumi/stacks/<project>/<stack>.json`; search rather than assume the layout. */
async function findCheckpoint(backendDir: string, stackName: string): Promise<string> {
  const root = path.join(backendDir, ".pulumi", "stacks");
  const wanted = `${stackName}.json`;
  const queue = [root];
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) queue.push(full);
      else if (entry.name === wanted) return full;
    }
  }
  throw new Error(`no checkpoint for stack ${stackName} under ${root} (has the stack been updated yet?)`);
}

/** `pulumi preview --json` for a program on disk: the engine's own JSON, steps with detailedDiff. */
async function cliPreviewJson(
  projectDir: string,
  stackName: string,
  env: Record<string, string>,
): Promise<PreviewJson> {
  const { code, stdout, stderr } = await run(
    path.join(pulumiBinDir, "pulumi"),
    ["preview", "--json", "--non-interactive", "--stack", stackName],
    projectDir,
    env,
  );
  let parsed: PreviewJson;
  try {
    parsed = JSON.parse(stdout) as PreviewJson;
  } catch {
    throw new Error(`pulumi preview --json (exit ${code}) printed no JSON.\nstdout: ${stdout}\nstderr: ${stderr}`);
  }
  if (code !== 0) {
    const messages = (parsed.diagnostics ?? []).map((d) => `${d.severity}: ${d.message}`).join("\n");
    throw new Error(`pulumi preview --json failed (exit ${code}):\n${messages}\n${stderr}`);
  }
  return parsed;
}

/**
 * The same shape for an inline program, built from the engine's events (the CLI cannot run an inline program on its
 * own, so there is no `--json` run to ask for): one step per resourcePreEvent, as `preview --json` lists them.
 */
async function eventPreviewJson(stack: Stack, options: PreviewOptions): Promise<PreviewJson> {
  const steps: PreviewStep[] = [];
  const diagnostics: NonNullable<PreviewJson["diagnostics"]> = [];
  const onEvent = (event: EngineEvent): void => {
    options.onEvent?.(event);
    const diag = event.diagnosticEvent;
    if (diag) diagnostics.push({ urn: diag.urn, message: diag.message, severity: diag.severity });
    const pre = event.resourcePreEvent;
    if (pre) {
      const m = pre.metadata;
      // Like the CLI's JSON, leave out unchanged default providers: they are bookkeeping, not the program's.
      if (m.op === "same" && m.type.startsWith("pulumi:providers:")) return;
      // The engine can announce a resource twice (e.g. the stack's outputs); keep one step per resource.
      const seen = steps.findIndex((s) => s.urn === m.urn && s.op === m.op);
      if (seen >= 0) steps.splice(seen, 1);
      steps.push({
        op: m.op,
        urn: m.urn,
        type: m.type,
        provider: m.provider,
        oldState: m.old,
        newState: m.new,
        diffReasons: m.diffs,
        replaceReasons: m.op === "replace" || m.op === "create-replacement" ? m.keys : undefined,
        detailedDiff: m.detailedDiff
          ? Object.fromEntries(
              Object.entries(m.detailedDiff).map(([k, d]) => [k, { kind: d.diffKind, inputDiff: d.inputDiff }]),
            )
          : undefined,
      });
    }
  };
  const result = await stack.preview({ ...options, onEvent });
  return { steps, diagnostics, changeSummary: result.changeSummary };
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
  });
}

async function signedRequest(
  emulator: RunningEmulator,
  method: string,
  apiPath: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const url = new URL(apiPath.replace(/^\//, ""), emulator.endpoint);
  if (!url.searchParams.has("api-version")) url.searchParams.set("api-version", "2023-11-01");
  const text = body === undefined ? "" : JSON.stringify(body);
  const headers: Record<string, string> = {
    ...signRequest({ method, url: url.toString(), body: text, accessKey: emulator.accessKey }),
    accept: "application/json",
  };
  if (body !== undefined)
    headers["content-type"] = method === "PATCH" ? "application/merge-patch+json" : "application/json";
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : text });
  const raw = await response.text();
  return { status: response.status, body: raw ? (JSON.parse(raw) as unknown) : undefined };
}
