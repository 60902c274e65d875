// `npm run pulumi -- <args>`: runs the Pulumi CLI pinned to package.json's @pulumi/pulumi version, with its
// plugins and this repository's Node (node_modules/.bin, Node 24) first on PATH. The first run makes the CLI
// available through scripts/ensure-pulumi (a cached build, a pulumi on PATH, a Go build or the official install).
"use strict";
const { spawn, spawnSync } = require("node:child_process");
const path = require("node:path");
const { pulumiBinDir, pulumiEnv, repoRoot } = require("./pulumi-env.js");

function ensure() {
  const r = spawnSync("bash", [path.join(repoRoot, "scripts", "ensure-pulumi"), "--quiet"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (r.status !== 0) {
    console.error("npm run pulumi: scripts/ensure-pulumi failed; run it directly to see why");
    process.exit(r.status ?? 1);
  }
}

ensure();
const child = spawn(path.join(pulumiBinDir, "pulumi"), process.argv.slice(2), {
  stdio: "inherit",
  env: pulumiEnv(process.env),
});
// Let the CLI handle Ctrl-C itself (it cancels the update cleanly); just don't die before it does.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  process.exit(code ?? 1);
});
