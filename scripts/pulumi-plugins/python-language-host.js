// @ts-check
// A minimal Python language host (`pulumi-language-python`) for this repository's tests of the generated Python SDK:
// the official host's Go module is not served by the module proxy this project reaches. Run starts the program with
// python-exec.py (beside this file) in the project's virtual environment (`runtime.options.virtualenv` in
// Pulumi.yaml, else python3 on PATH); everything about installing dependencies is a no-op (the test makes the venv).
"use strict";

const { spawn } = require("node:child_process");
const { createRequire } = require("node:module");
const path = require("node:path");
const { createLanguageHost } = require("./language-host-base");

const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const host = createLanguageHost({
  name: "pulumi-language-python",
  sdkRequire,
  version: "0.0.0",
  installMessage: "pulumi-language-python (pulumi-jobrouter tests): the venv is made by the test",
});
const { languagePb, children } = host;

/** Exit code of python-exec.py after the program reported its own error through the engine. */
const BAIL_EXIT_CODE = 32;

/** @param {any} info @param {string} programDir */
function pythonOf(info, programDir) {
  const options = info?.getOptions?.()?.toJavaScript?.() ?? {};
  const venv = typeof options.virtualenv === "string" ? options.virtualenv : undefined;
  if (venv === undefined) return "python3";
  const root = info?.getRootDirectory?.() || programDir;
  return path.join(path.isAbsolute(venv) ? venv : path.resolve(root, venv), "bin", "python");
}

host.serve({
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
      `--engine=${host.engineAddress()}`,
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
});
