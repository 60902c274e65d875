// `npm run package [-- <destination>]`: builds, then packs the published packages into tarballs (default: the
// repository root): pulumi-jobrouter and jobrouter-emulator from their assembled directories (.cache/packages,
// see scripts/assemble.js) and the policy pack from policy/ (its `prepack` compiles it); then the native provider
// as a Pulumi plugin tarball (scripts/plugin-tarball.js), for `pulumi plugin install resource jobrouter ... --file`,
// and the generated Python SDK as a wheel (scripts/python-sdk.js).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { PACKAGES, PACKAGES_OUT } = require("./assemble.js");
const { writePluginTarball } = require("./plugin-tarball.js");
const { buildPythonSdk } = require("./python-sdk.js");

const root = path.resolve(__dirname, "..");
const destination = path.resolve(process.argv[2] ?? root);

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0) {
    console.error(`npm run package: ${command} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

run(process.execPath, [path.join(root, "scripts", "prepare.js")], root);
fs.mkdirSync(destination, { recursive: true });
const dirs = [...PACKAGES.map((p) => path.join(root, PACKAGES_OUT, p.name)), path.join(root, "policy")];
run("npm", ["pack", "--pack-destination", destination, ...dirs], root);

const { version } = JSON.parse(
  fs.readFileSync(path.join(root, "packages", "pulumi-jobrouter", "package.json"), "utf8"),
);
try {
  console.log(writePluginTarball(path.join(destination, `pulumi-jobrouter-${version}.tgz`), destination));
  // The generated Python SDK as a wheel (needs Go and python3 with pip; see scripts/python-sdk.js).
  console.log(buildPythonSdk(destination));
} catch (e) {
  console.error(`npm run package: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
