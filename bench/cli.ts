// A stack driven through the pinned Pulumi CLI as a child process (not the Automation API), so the benchmark can time
// each command, sample the memory of the engine's process tree, and the reliability tests can SIGKILL the engine.
//
// Each stack gets its own directory under .cache/ (inside the repository, so the engine's plugin processes resolve
// @pulumi/pulumi from this repository's node_modules, as in a user's project), its own file:// backend, PULUMI_HOME
// and passphrase. The program directory gets a private copy of the installed `pulumi-jobrouter` build in its own
// node_modules: a concurrent `npm run build` removes and re-creates node_modules/pulumi-jobrouter, and a long
// deployment must not see the package vanish half-way.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { cp, mkdir, readFile, rm } from "node:fs/promises";
import * as path from "node:path";
import { sampleRss, type RssPeak } from "./procs";

/**
 * The repository: the first directory above this module with scripts/prepare.js (this module runs from bench/ under
 * vitest, from dist/bench/ under `npm run bench`, or from a private copy of dist/ under .cache/).
 */
function findRepoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, "scripts", "prepare.js"))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no repository (scripts/prepare.js) above ${__dirname}`);
    dir = up;
  }
  return dir;
}

export const repoRoot = findRepoRoot();

function rootPackage(): { dependencies: Record<string, string> } {
  return JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
}

export const pulumiVersion: string = rootPackage().dependencies["@pulumi/pulumi"] ?? "";
export const pulumiBinDir = path.join(repoRoot, ".cache", "pulumi", pulumiVersion, "bin");
export const pulumiBin = path.join(pulumiBinDir, "pulumi");
const nodeBinDir = path.join(repoRoot, "node_modules", ".bin");
const installedPackage = path.join(repoRoot, "node_modules", "pulumi-jobrouter");

const buildLock = path.join(repoRoot, "node_modules", ".pulumi-jobrouter-build.lock");

/**
 * Runs `fn` holding the lock `npm run build` (scripts/prepare.js) takes while it replaces dist/ and the installed
 * package, so a copy of either is never taken half-way through someone else's build.
 */
export async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(buildLock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`could not take the build lock ${buildLock} within 3 minutes`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(buildLock, { recursive: true, force: true });
  }
}

export interface CliResult {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Present when the run was sampled. */
  rss?: RssPeak;
}

export interface RunOptions {
  /** Sample the RSS of the CLI's process tree while it runs. */
  sampleRss?: boolean;
  /** Called with the child right after spawn (e.g. to kill it later). */
  onSpawn?: (child: ChildProcess) => void;
  /** Extra environment for this command. */
  env?: Record<string, string>;
  /** Written to the command's stdin (then closed). */
  input?: string;
}

export interface CliStackOptions {
  /** A fresh directory to hold backend, PULUMI_HOME and the program copy; must be inside the repository. */
  workDir: string;
  /** A directory with Pulumi.yaml, copied into workDir/program. */
  programDir: string;
  stackName?: string;
  /** Stack config, set before the first command; `secret: true` stores it encrypted. */
  config?: Record<string, { value: string; secret?: boolean }>;
}

export class CliStack {
  readonly workDir: string;
  readonly projectDir: string;
  readonly backendDir: string;
  readonly stackName: string;
  readonly passphrase: string;
  readonly env: Record<string, string>;

  private constructor(workDir: string, stackName: string) {
    this.workDir = workDir;
    this.projectDir = path.join(workDir, "program");
    this.backendDir = path.join(workDir, "backend");
    this.stackName = stackName;
    this.passphrase = randomBytes(12).toString("hex");
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    env.PATH = [pulumiBinDir, nodeBinDir, process.env.PATH ?? ""].join(path.delimiter);
    env.PULUMI_SKIP_UPDATE_CHECK = "true";
    env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
    env.PULUMI_BACKEND_URL = `file://${this.backendDir}`;
    env.PULUMI_CONFIG_PASSPHRASE = this.passphrase;
    env.PULUMI_HOME = path.join(workDir, "pulumi-home");
    // The bench measures the engine, not a terminal renderer.
    env.PULUMI_NON_INTERACTIVE = "true";
    this.env = env;
  }

  static async create(options: CliStackOptions): Promise<CliStack> {
    if (!existsSync(pulumiBin)) {
      throw new Error(`no Pulumi CLI at ${pulumiBin}: run \`npm run ensure-pulumi\` first`);
    }
    const stack = new CliStack(options.workDir, options.stackName ?? "bench");
    await mkdir(stack.backendDir, { recursive: true });
    await mkdir(stack.env.PULUMI_HOME ?? "", { recursive: true });
    await cp(path.resolve(repoRoot, options.programDir), stack.projectDir, {
      recursive: true,
      filter: (src) => !src.includes(`${path.sep}node_modules`),
    });
    await withBuildLock(async () => {
      // The workload is bench code, not part of the package: the program requires it from beside itself.
      const workload = path.join(repoRoot, "dist", "bench", "workload.js");
      if (!existsSync(workload) || !existsSync(path.join(installedPackage, "package.json"))) {
        throw new Error("no dist/bench/workload.js or node_modules/pulumi-jobrouter: run `npm run build` first");
      }
      await cp(installedPackage, path.join(stack.projectDir, "node_modules", "pulumi-jobrouter"), { recursive: true });
      await cp(workload, path.join(stack.projectDir, "workload.js"));
    });
    await stack.must(["stack", "init", "--secrets-provider", "passphrase"]);
    for (const [key, { value, secret }] of Object.entries(options.config ?? {})) {
      await stack.setConfig(key, value, secret === true);
    }
    return stack;
  }

  async setConfig(key: string, value: string, secret = false): Promise<void> {
    // On stdin, not argv: any process on the machine can read another's command line.
    await this.must(["config", "set", ...(secret ? ["--secret"] : ["--plaintext"]), key], { input: value });
  }

  /** Runs `pulumi <args> --stack <stack> --non-interactive` in the project directory. */
  run(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const full = [...args, "--stack", this.stackName, "--non-interactive"];
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const child = spawn(pulumiBin, full, {
        cwd: this.projectDir,
        env: { ...this.env, ...options.env },
        stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      if (options.input !== undefined) child.stdin?.end(options.input);
      const sampler = options.sampleRss && child.pid !== undefined ? sampleRss(child.pid) : undefined;
      options.onSpawn?.(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout?.on("data", (b: Buffer) => out.push(b));
      child.stderr?.on("data", (b: Buffer) => err.push(b));
      child.on("error", (e) => {
        sampler?.stop();
        reject(e);
      });
      child.on("close", (code, signal) => {
        const rss = sampler?.stop();
        resolve({
          args: full,
          code,
          signal,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
          wallMs: performance.now() - started,
          ...(rss ? { rss } : {}),
        });
      });
    });
  }

  /** run() that throws (with the CLI's output) unless the command succeeds. */
  async must(args: string[], options: RunOptions = {}): Promise<CliResult> {
    const r = await this.run(args, options);
    if (r.code !== 0) {
      throw new Error(
        `pulumi ${args.join(" ")} failed (exit ${r.code ?? r.signal}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`,
      );
    }
    return r;
  }

  /** The file backend's checkpoint: `<backend>/.pulumi/stacks/<project>/<stack>.json`. */
  checkpointPath(): string {
    const root = path.join(this.backendDir, ".pulumi", "stacks");
    for (const project of readdirSync(root)) {
      const file = path.join(root, project, `${this.stackName}.json`);
      if (existsSync(file) && statSync(file).isFile()) return file;
    }
    throw new Error(`no checkpoint for stack ${this.stackName} under ${root}`);
  }

  async checkpointText(): Promise<string> {
    return readFile(this.checkpointPath(), "utf8");
  }
}
