// Where scripts/ensure-pulumi puts the pinned Pulumi CLI, and the environment every caller runs it with
// (scripts/pulumi.js, the end-to-end harness). One place, so both behave the same.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");
const pulumiVersion = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).dependencies[
  "@pulumi/pulumi"
];
const pulumiBinDir = path.join(repoRoot, ".cache", "pulumi", pulumiVersion, "bin");
const nodeBinDir = path.join(repoRoot, "node_modules", ".bin");

/**
 * The environment for the CLI: its bin directory (CLI, language host, dynamic-provider host) first on PATH, then
 * this repository's Node; no update checks and no plugin downloads (nothing may be fetched at run time).
 * @param {NodeJS.ProcessEnv} base
 * @returns {NodeJS.ProcessEnv}
 */
function pulumiEnv(base) {
  return {
    ...base,
    PATH: [pulumiBinDir, nodeBinDir, base.PATH ?? ""].join(path.delimiter),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
  };
}

module.exports = { repoRoot, pulumiVersion, pulumiBinDir, nodeBinDir, pulumiEnv };
