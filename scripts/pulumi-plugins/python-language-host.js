// @ts-check
// A minimal Python language host (`pulumi-language-python`) for this repository's tests of the generated Python SDK:
// the official host's Go module is not served by the module proxy this project reaches. Run starts the program with
// python-exec.py (beside this file) in the project's virtual environment (`runtime.options.virtualenv` in
// Pulumi.yaml, else python3 on PATH); everything about installing dependencies is a no-op (the test makes the venv).
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const { createRequire } = require("node:module");
const path = require("node:path");

const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
/** @type {typeof import("@grpc/grpc-js")} */
const grpc = sdkRequire("@grpc/grpc-js");
const languageGrpc = sdkRequire("./proto/language_grpc_pb.js");
const languagePb = sdkRequire("./proto/language_pb.js");
const pluginPb = sdkRequire("./proto/plugin_pb.js");
const emptyPb = sdkRequire("google-protobuf/google/protobuf/empty_pb.js");

/** Exit code of python-exec.py after the program reported its own error through the engine. */
const BAIL_EXIT_CODE = 32;
const positional = process.argv.slice(2).filter((a) => !a.startsWith("-"));
let engineAddress = positional[positional.length - 1] ?? "";
/** @type {Set<import("node:child_process").ChildProcess>} */
const children = new Set();

/** @param {any} info @param {string} programDir */
function pythonOf(info, programDir) {
  const options = info?.getOptions?.()?.toJavaScript?.() ?? {};
  const venv = typeof options.virtualenv === "string" ? options.virtualenv : undefined;
  if (venv === undefined) return "python3";
  const root = info?.getRootDirectory?.() || programDir;
  return path.join(path.isAbsolute(venv) ? venv : path.resolve(root, venv), "bin", "python");
}

/** @type {Record<string, Function>} */
const handlers = {
  handshake(call, callback) {
    if (call.request.getEngineAddress()) engineAddress = call.request.getEngineAddress();
    callback(null, new languagePb.LanguageHandshakeResponse());
  },
  getRequiredPlugins(_call, callback) {
    const resp = new languagePb.GetRequiredPluginsResponse();
    resp.setPluginsList([]);
    callback(null, resp);
  },
  getRequiredPackages(_call, callback) {
    const resp = new languagePb.GetRequiredPackagesResponse();
    resp.setPackagesList([]);
    callback(null, resp);
  },
  getPluginInfo(_call, callback) {
    const resp = new pluginPb.PluginInfo();
    resp.setVersion("0.0.0");
    callback(null, resp);
  },
  installDependencies(call) {
    const resp = new languagePb.InstallDependenciesResponse();
    resp.setStdout(Buffer.from("pulumi-language-python (pulumi-jobrouter tests): the venv is made by the test\n"));
    call.write(resp);
    call.end();
  },
  about(_call, callback) {
    callback(null, new languagePb.AboutResponse());
  },
  getProgramDependencies(_call, callback) {
    callback(null, new languagePb.GetProgramDependenciesResponse());
  },
  cancel(_call, callback) {
    callback(null, new emptyPb.Empty());
  },
  run(call, callback) {
    const req = call.request;
    const info = req.getInfo();
    const programDir = info?.getProgramDirectory() || req.getPwd() || process.cwd();
    const entry = info?.getEntryPoint() ?? ".";
    const program = !entry || entry === "." ? programDir : path.resolve(programDir, entry);
    const env = {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(Object.fromEntries(req.getConfigMap().entries())),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    };
    const args = [
      path.join(__dirname, "python-exec.py"),
      `--monitor=${req.getMonitorAddress()}`,
      `--engine=${engineAddress}`,
      `--project=${req.getProject()}`,
      `--stack=${req.getStack()}`,
      `--root_directory=${info?.getRootDirectory() || programDir}`,
    ];
    if (req.getOrganization()) args.push(`--organization=${req.getOrganization()}`);
    if (req.getParallel() > 0) args.push(`--parallel=${req.getParallel()}`);
    if (req.getDryrun()) args.push("--dry_run");
    args.push(program, ...req.getArgsList());
    const child = spawn(pythonOf(info, programDir), args, {
      cwd: req.getPwd() || programDir,
      env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.add(child);
    child.on("error", (err) => {
      children.delete(child);
      const resp = new languagePb.RunResponse();
      resp.setError(`could not start Python: ${err.message}`);
      callback(null, resp);
    });
    child.on("exit", (code, signal) => {
      children.delete(child);
      const resp = new languagePb.RunResponse();
      if (code === BAIL_EXIT_CODE) resp.setBail(true);
      else if (code !== 0)
        resp.setError(
          signal ? `Program was terminated by signal ${signal}` : `Program exited with non-zero exit code: ${code}`,
        );
      callback(null, resp);
    });
  },
};

function main() {
  if (!fs.existsSync(process.execPath)) throw new Error(`node executable not found: ${process.execPath}`);
  const server = new grpc.Server();
  server.addService(languageGrpc.LanguageRuntimeService, handlers);
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
    if (err) {
      console.error(`pulumi-language-python: could not listen: ${err.message}`);
      process.exit(1);
    }
    process.stdout.write(`${port}\n`);
  });
  const stop = () => {
    for (const child of children) child.kill("SIGTERM");
    server.forceShutdown();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main();
