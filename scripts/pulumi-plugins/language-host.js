// @ts-check
// A Node.js language host for the Pulumi CLI (the `pulumi-language-nodejs` plugin), used only when the official
// one is not available: the Go module of the official host has no release tags and the module proxy this project
// can reach does not serve it, so scripts/ensure-pulumi installs this one next to a CLI built from Go modules.
// Anywhere the official host is at hand (the official install, or a `pulumi` on PATH that ships it), that one is used.
//
// What it does is deliberately small and the same as the official host's behaviour for plain npm projects:
// - Run: starts `node @pulumi/pulumi/cmd/run <program>` (resolved from the program's directory), with the flags and
//   PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS environment the SDK's runner expects, and maps its exit code
//   (32 = the program already reported its error to the engine) to the RunResponse.
// - RunPlugin: starts policy packs (`cmd/run-policy-pack`) and Node.js provider plugins (`cmd/run-plugin`),
//   streaming their stdout/stderr and exit code back to the engine.
// - Everything about installing dependencies or plugins is a no-op: `npm ci` installs dependencies, and the only
//   plugin this project needs (the dynamic-provider host) sits next to the CLI.
"use strict";

const { spawn } = require("node:child_process");
const { createRequire } = require("node:module");
const path = require("node:path");
const { createLanguageHost } = require("./language-host-base");

// Load gRPC and the generated messages through @pulumi/pulumi so they are the very copies its stubs were built with.
// The project's own @pulumi/pulumi first (the engine starts the host in the project directory), else the one above
// this file (inside this repository), so the host does not depend on where the CLI's bin directory lives.
function sdkPackageJson() {
  try {
    return createRequire(path.join(process.cwd(), "noop.js")).resolve("@pulumi/pulumi/package.json");
  } catch {
    return require.resolve("@pulumi/pulumi/package.json");
  }
}
const sdkRequire = createRequire(sdkPackageJson());
const host = createLanguageHost({
  name: "pulumi-language-nodejs",
  sdkRequire,
  version: sdkRequire("./package.json").version,
  installMessage: "pulumi-language-nodejs (pulumi-jobrouter): dependencies are installed by npm ci",
  about: (resp) => {
    resp.setExecutable(process.execPath);
    resp.setVersion(process.version);
  },
  serverOptions: {
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  },
});
const { languagePb, children } = host;

/** Exit code of `cmd/run` after the program reported its own error through the engine (nothing left to print). */
const BAIL_EXIT_CODE = 32;

/**
 * Reads the runtime options of Pulumi.yaml (`runtime: { name: nodejs, options: {...} }`).
 * @param {any} info a pulumirpc.ProgramInfo or undefined
 * @returns {Record<string, unknown>}
 */
function runtimeOptions(info) {
  const options = info?.getOptions?.();
  return options ? options.toJavaScript() : {};
}

/**
 * Resolves a module of @pulumi/pulumi from a directory, as the program itself would.
 * @param {string} subpath e.g. "cmd/run"
 * @param {string} fromDir
 */
function resolveSdk(subpath, fromDir) {
  try {
    return path.dirname(require.resolve(`@pulumi/pulumi/${subpath}/index.js`, { paths: [fromDir] }));
  } catch {
    throw new Error(
      `could not find @pulumi/pulumi/${subpath} from ${fromDir}; ` +
        "it looks like the Pulumi SDK is not installed: run npm install in the project",
    );
  }
}

/**
 * @param {string} dir
 * @param {string} entryPoint
 */
function programPath(dir, entryPoint) {
  return !entryPoint || entryPoint === "." ? dir : path.resolve(dir, entryPoint);
}

/**
 * Runs a child process to completion, with stdio inherited (the engine shows the host's output).
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {string} cwd
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null }>}
 */
function runNode(args, env, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "inherit", "inherit"] });
    children.add(child);
    child.on("error", (err) => {
      children.delete(child);
      reject(err);
    });
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
}

host.serve({
  run(call, callback) {
    const req = call.request;
    const info = req.getInfo();
    const programDir = info?.getProgramDirectory() || req.getPwd() || process.cwd();
    const rootDir = info?.getRootDirectory() || programDir;
    const options = runtimeOptions(info);
    let runDir;
    try {
      runDir = resolveSdk("cmd/run", programDir);
    } catch (err) {
      const resp = new languagePb.RunResponse();
      resp.setError(err instanceof Error ? err.message : String(err));
      callback(null, resp);
      return;
    }

    const config = Object.fromEntries(req.getConfigMap().entries());
    const env = {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(config),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    };
    // TypeScript programs are run through ts-node by the SDK unless the project opts out.
    if (options.typescript !== false) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (typeof options.tsconfig === "string") env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;

    const nodeArgs = typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [];
    const flags = [
      `--monitor=${req.getMonitorAddress()}`,
      `--engine=${host.engineAddress()}`,
      `--project=${req.getProject()}`,
      `--stack=${req.getStack()}`,
      `--pwd=${req.getPwd() || programDir}`,
      `--root-directory=${rootDir}`,
    ];
    if (req.getOrganization()) flags.push(`--organization=${req.getOrganization()}`);
    if (req.getParallel() > 0) flags.push(`--parallel=${req.getParallel()}`);
    if (req.getDryrun()) flags.push("--dry-run");
    const args = [
      ...nodeArgs,
      runDir,
      ...flags,
      programPath(programDir, info?.getEntryPoint() ?? "."),
      ...req.getArgsList(),
    ];

    runNode(args, env, req.getPwd() || programDir).then(
      ({ code, signal }) => {
        const resp = new languagePb.RunResponse();
        if (code === BAIL_EXIT_CODE) resp.setBail(true);
        else if (code !== 0) {
          resp.setError(
            signal ? `Program was terminated by signal ${signal}` : `Program exited with non-zero exit code: ${code}`,
          );
        }
        callback(null, resp);
      },
      (err) => callback(err),
    );
  },

  runPlugin(call) {
    const req = call.request;
    const info = req.getInfo();
    const pluginDir = info?.getProgramDirectory() || req.getPwd() || process.cwd();
    const writeChunk = (/** @type {"stdout" | "stderr"} */ stream, /** @type {Buffer} */ chunk) => {
      const resp = new languagePb.RunPluginResponse();
      if (stream === "stdout") resp.setStdout(chunk);
      else resp.setStderr(chunk);
      call.write(resp);
    };
    const finish = (/** @type {number} */ exitCode) => {
      const resp = new languagePb.RunPluginResponse();
      resp.setExitcode(exitCode);
      call.write(resp);
      call.end();
    };

    let args;
    try {
      // Policy packs get the engine address and their directory; provider plugins their directory and own args.
      args =
        req.getKind() === "analyzer"
          ? [resolveSdk("cmd/run-policy-pack", pluginDir), ...req.getArgsList(), pluginDir]
          : [resolveSdk("cmd/run-plugin", pluginDir), pluginDir, ...req.getArgsList()];
    } catch (err) {
      writeChunk("stderr", Buffer.from(`${err instanceof Error ? err.message : String(err)}\n`));
      finish(1);
      return;
    }
    /** @type {NodeJS.ProcessEnv} */
    const env = { ...process.env };
    for (const kv of req.getEnvList()) {
      const eq = kv.indexOf("=");
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    // The plugin's own directory, not the engine's: a policy pack reads ./package.json for its version.
    const child = spawn(process.execPath, args, { cwd: pluginDir, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    child.stdout.on("data", (chunk) => writeChunk("stdout", chunk));
    child.stderr.on("data", (chunk) => writeChunk("stderr", chunk));
    child.on("error", (err) => {
      children.delete(child);
      writeChunk("stderr", Buffer.from(`${err.message}\n`));
      finish(1);
    });
    child.on("close", (code) => {
      children.delete(child);
      finish(code ?? 1);
    });
  },
});
