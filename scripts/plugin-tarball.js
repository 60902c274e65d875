// Writes the native provider as a Pulumi plugin release tarball, for
//   pulumi plugin install resource jobrouter <version> --file pulumi-resource-jobrouter-v<version>-linux-amd64.tar.gz
// The tarball holds the launcher (plugin/bin/pulumi-resource-jobrouter) and a node_modules installed by npm from
// the pulumi-jobrouter tarball `npm run package` has just packed, with @pulumi/pulumi: real directories, no
// symlinks (the CLI's installer refuses a tarball with a symlinked node_modules). Linux x64 only by name: the
// contents are JavaScript, and the machine needs Node.js 22 or later (the launcher says so when it is missing).
//
//   node scripts/plugin-tarball.js <pulumi-jobrouter-<version>.tgz> <destination>
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

function run(command, args, cwd) {
  const r = spawnSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
  if (r.status !== 0)
    throw new Error(`plugin tarball: ${command} ${args.join(" ")} failed (exit ${r.status ?? r.signal})`);
}

/** @returns {string} the tarball's path */
function writePluginTarball(packageTarball, destination) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "packages", "pulumi-jobrouter", "package.json"), "utf8"));
  const devRoot = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const version = manifest.version;
  const staging = path.join(root, ".cache", "plugin-release", `jobrouter-${version}`);
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.copyFileSync(
    path.join(root, "plugin", "bin", "pulumi-resource-jobrouter"),
    path.join(staging, "pulumi-resource-jobrouter"),
  );
  fs.chmodSync(path.join(staging, "pulumi-resource-jobrouter"), 0o755);
  const local = path.join(staging, path.basename(packageTarball));
  fs.copyFileSync(packageTarball, local);
  fs.writeFileSync(
    path.join(staging, "package.json"),
    `${JSON.stringify(
      {
        name: "pulumi-resource-jobrouter",
        version,
        private: true,
        description: "The jobrouter Pulumi resource provider plugin (native provider of pulumi-jobrouter).",
        license: "Apache-2.0",
        dependencies: {
          "pulumi-jobrouter": `file:./${path.basename(packageTarball)}`,
          "@pulumi/pulumi": devRoot.dependencies["@pulumi/pulumi"],
        },
      },
      null,
      2,
    )}\n`,
  );
  run("npm", ["install", "--omit=dev", "--omit=optional", "--no-audit", "--no-fund", "--install-links"], staging);
  fs.rmSync(local);
  const out = path.join(destination, `pulumi-resource-jobrouter-v${version}-linux-amd64.tar.gz`);
  run("tar", ["-czf", out, "-C", staging, "."], staging);
  return out;
}

module.exports = { writePluginTarball };

if (require.main === module) {
  const [tarball, destination] = process.argv.slice(2);
  if (!tarball || !destination) {
    console.error("usage: node scripts/plugin-tarball.js <pulumi-jobrouter-<version>.tgz> <destination>");
    process.exit(2);
  }
  console.log(writePluginTarball(path.resolve(tarball), path.resolve(destination)));
}
