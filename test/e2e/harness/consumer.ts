// Installing the packages as a user does: pack the tarballs (`npm pack`, as `npm run package` does), then install them
// with npm into a new project in the system's temporary directory, outside this repository, so nothing resolves
// from the repository's node_modules.
//
//   const packed = await packTarballs();                  // once per process
//   const project = await installConsumer({ name: "demo", tarballs: [packed.library.file], packages: ["typescript@5.9.3"] });
//   project.require("pulumi-jobrouter/client")            // resolved from the project, as its own code would
//   await project.dispose();

import { spawn } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { repoRoot } from "./paths";

/** One tarball as `npm pack --json` describes it. */
export interface PackedTarball {
  name: string;
  version: string;
  /** Absolute path of the .tgz. */
  file: string;
  /** Compressed size in bytes. */
  size: number;
  unpackedSize: number;
  /** Paths inside the package (package.json, dist/…). */
  files: string[];
}

export interface PackedTarballs {
  /** pulumi-jobrouter: the Pulumi library. */
  library: PackedTarball;
  /** jobrouter-emulator: the emulator without Pulumi. */
  emulator: PackedTarball;
  /** pulumi-jobrouter-policy: the policy pack. */
  policy: PackedTarball;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; never throws for a non-zero exit (callers assert on `code`). */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: "pipe" });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/**
 * The environment for npm outside this repository: the caller's, without the `npm_*` variables an enclosing
 * `npm test` sets (they carry this repository's package and config into a child npm), with a Node 22+ first on PATH
 * (the one running this process: the repository's Node 24 under npm scripts) and not this repository's
 * node_modules/.bin.
 */
export function outsideEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.toLowerCase().startsWith("npm_")) env[k] = v;
  }
  const repoBin = path.join(repoRoot, "node_modules", ".bin");
  const rest = (env.PATH ?? "").split(path.delimiter).filter((p) => p && path.resolve(p) !== repoBin);
  env.PATH = [path.dirname(process.execPath), ...rest].join(path.delimiter);
  return { ...env, ...extra };
}

function must(result: CommandResult, what: string): CommandResult {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  return result;
}

/** The directories `npm run build` assembles the packages into (scripts/assemble.js). */
const assembled = (name: string): string => path.join(repoRoot, ".cache", "packages", name);

let packing: Promise<PackedTarballs> | undefined;

/**
 * Packs pulumi-jobrouter and jobrouter-emulator (from the build: run `npm run build` first, as `npm test` does) and
 * the policy pack (policy/, whose prepack compiles it) into a temporary directory. Once per process.
 */
export function packTarballs(): Promise<PackedTarballs> {
  packing ??= (async () => {
    for (const name of ["pulumi-jobrouter", "jobrouter-emulator"]) {
      if (!existsSync(path.join(assembled(name), "package.json"))) {
        throw new Error(`packTarballs: ${assembled(name)} is missing; run \`npm run build\` first`);
      }
    }
    const destination = await mkdtemp(path.join(tmpdir(), "jobrouter-tarballs-"));
    const dirs = [assembled("pulumi-jobrouter"), assembled("jobrouter-emulator"), path.join(repoRoot, "policy")];
    const result = must(
      await runCommand("npm", ["pack", "--json", "--pack-destination", destination, ...dirs], {
        cwd: repoRoot,
        env: outsideEnv(),
      }),
      "npm pack",
    );
    // The policy pack's prepack prints its build's progress to stdout before npm's JSON.
    const json = result.stdout.slice(result.stdout.indexOf("["));
    const entries = JSON.parse(json) as {
      name: string;
      version: string;
      filename: string;
      size: number;
      unpackedSize: number;
      files: { path: string }[];
    }[];
    const byName = (name: string): PackedTarball => {
      const e = entries.find((x) => x.name === name);
      if (!e) throw new Error(`npm pack produced no ${name} tarball:\n${json}`);
      return {
        name: e.name,
        version: e.version,
        file: path.join(destination, e.filename),
        size: e.size,
        unpackedSize: e.unpackedSize,
        files: e.files.map((f) => f.path).sort(),
      };
    };
    return {
      library: byName("pulumi-jobrouter"),
      emulator: byName("jobrouter-emulator"),
      policy: byName("pulumi-jobrouter-policy"),
    };
  })();
  return packing;
}

export interface ConsumerOptions {
  /** Names the temporary directory. */
  name: string;
  /** Tarballs to install (paths). */
  tarballs: string[];
  /** Registry packages to install alongside, e.g. "@pulumi/pulumi@3.259.0". */
  packages: string[];
  /** Files to write into the project before installing (relative path -> content). */
  files?: Record<string, string>;
}

export interface ConsumerProject {
  /** The project directory (its own package.json), outside this repository. */
  readonly dir: string;
  /** `npm install`'s output, for measurements and failures. */
  readonly installOutput: string;
  /** A bin the project's install linked: `<dir>/node_modules/.bin/<name>`. */
  bin(name: string): string;
  /** Node's require as code in the project directory has it. */
  require(id: string): unknown;
  /** Resolves a module id as code in the project directory would. */
  resolve(id: string): string;
  /** Runs a command in the project directory with outsideEnv(). */
  run(command: string, args: string[], env?: Record<string, string>): Promise<CommandResult>;
  /** Removes the project (unless E2E_KEEP is set). */
  dispose(): Promise<void>;
}

/** Creates a project in the temporary directory and installs the tarballs and packages into it with npm. */
export async function installConsumer(options: ConsumerOptions): Promise<ConsumerProject> {
  const dir = realpathSync(await mkdtemp(path.join(tmpdir(), `jobrouter-${options.name}-`)));
  if (dir.startsWith(realpathSync(repoRoot) + path.sep)) {
    throw new Error(`installConsumer: ${dir} lies inside the repository; the point is to be outside it`);
  }
  await writeFile(
    path.join(dir, "package.json"),
    JSON.stringify({ name: `consumer-${options.name}`, version: "1.0.0", private: true }, null, 2) + "\n",
  );
  for (const [rel, content] of Object.entries(options.files ?? {})) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), content);
  }
  // --prefer-offline: take what npm's cache holds (the repository's own install filled it) before asking the
  // registry. No audit/fund requests: they are not part of installing.
  const install = must(
    await runCommand(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", ...options.tarballs, ...options.packages],
      { cwd: dir, env: outsideEnv() },
    ),
    `npm install in ${dir}`,
  );
  const projectRequire = createRequire(path.join(dir, "package.json"));
  return {
    dir,
    installOutput: install.stdout + install.stderr,
    bin: (name) => path.join(dir, "node_modules", ".bin", name),
    require: (id) => projectRequire(id) as unknown,
    resolve: (id) => projectRequire.resolve(id),
    run: (command, args, env = {}) => runCommand(command, args, { cwd: dir, env: outsideEnv(env) }),
    async dispose() {
      if (!process.env.E2E_KEEP) await rm(dir, { recursive: true, force: true });
    },
  };
}
