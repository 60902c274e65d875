// The generated Python SDK of the native provider (package `pulumi_jobrouter`) and its wheel.
//   1. builds scripts/sdkgen (a small Go program over github.com/pulumi/pulumi/pkg/v3/codegen/python at the CLI's
//      version, -trimpath like the CLI so the Go build cache of scripts/ensure-pulumi serves it) into .cache/sdkgen;
//   2. generates the SDK from plugin/schema.json into .cache/python-sdk/pulumi-jobrouter (what
//      `pulumi package gen-sdk --language python` writes; this CLI build cannot run gen-sdk itself);
//   3. builds the wheel with `python3 -m pip wheel` (pip fetches its build backend, setuptools, from PyPI).
//
//   node scripts/python-sdk.js [destination]     prints the wheel's path (default destination: .cache/python-sdk)
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

function run(command, args, options = {}) {
  const r = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
  if (r.error || r.status !== 0) {
    const detail = r.error ? r.error.message : `${r.stderr}${r.stdout}`.trim().split("\n").slice(-20).join("\n");
    throw new Error(`python-sdk: ${command} ${args.join(" ")} failed\n${detail}`);
  }
  return r.stdout;
}

function goBinary() {
  for (const candidate of ["go", "/usr/local/go/bin/go"]) {
    const r = spawnSync(candidate, ["version"], { stdio: "ignore" });
    if (r.status === 0) return candidate;
  }
  throw new Error("python-sdk: needs Go to build scripts/sdkgen (the Python SDK generator)");
}

/** @returns {string} the wheel's path */
function buildPythonSdk(destination = path.join(root, ".cache", "python-sdk")) {
  const sdkgen = path.join(root, ".cache", "sdkgen", "sdkgen");
  run(goBinary(), ["build", "-trimpath", "-o", sdkgen, "."], {
    cwd: path.join(root, "scripts", "sdkgen"),
    env: { ...process.env, GOTOOLCHAIN: "local", GOFLAGS: "-mod=readonly -buildvcs=false" },
  });
  const sdkDir = path.join(root, ".cache", "python-sdk", "pulumi-jobrouter");
  fs.rmSync(sdkDir, { recursive: true, force: true });
  run(sdkgen, [path.join(root, "plugin", "schema.json"), sdkDir]);
  fs.mkdirSync(destination, { recursive: true });
  const { version } = JSON.parse(fs.readFileSync(path.join(root, "plugin", "schema.json"), "utf8"));
  const wheel = path.join(destination, `pulumi_jobrouter-${version}-py3-none-any.whl`);
  fs.rmSync(wheel, { force: true });
  run("python3", ["-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", destination, sdkDir]);
  if (!fs.existsSync(wheel)) throw new Error(`python-sdk: pip wrote no ${path.basename(wheel)} into ${destination}`);
  return wheel;
}

module.exports = { buildPythonSdk };

if (require.main === module) {
  try {
    console.log(buildPythonSdk(process.argv[2] ? path.resolve(process.argv[2]) : undefined));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
