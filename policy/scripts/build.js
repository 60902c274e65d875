// Compiles the policy pack (policy/*.ts -> policy/dist) if a source changed since the last build.
//
// Tests that start the pack (over gRPC, or through `pulumi preview --policy-pack policy/`) call this
// first; several may do so at once, so builds are serialized with a lock directory and the output
// is only replaced when stale (a running pack keeps reading complete files).
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const packDir = path.resolve(__dirname, "..");
// The pack's own typescript when `npm ci` ran in policy/, else the repository's.
const tsc = require.resolve("typescript/bin/tsc", { paths: [packDir] });
const stamp = path.join(packDir, "dist", ".sources-mtime");
const lock = path.join(packDir, ".build.lock");

function newestSourceMtime() {
  const files = [
    path.join(packDir, "index.ts"),
    path.join(packDir, "tsconfig.json"),
    path.join(packDir, "package.json"),
  ];
  for (const f of fs.readdirSync(path.join(packDir, "policies"))) {
    if (f.endsWith(".ts")) files.push(path.join(packDir, "policies", f));
  }
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

function acquire() {
  for (let i = 0; i < 600; i++) {
    try {
      fs.mkdirSync(lock);
      return;
    } catch {
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  throw new Error(`could not take the policy build lock ${lock}`);
}

acquire();
let status = 0;
try {
  const newest = String(newestSourceMtime());
  const built = fs.existsSync(stamp) ? fs.readFileSync(stamp, "utf8") : "";
  if (built === newest && fs.existsSync(path.join(packDir, "dist", "index.js"))) {
    console.log("pulumi-jobrouter-policy: dist/ is up to date");
  } else {
    status =
      spawnSync(process.execPath, [tsc, "-p", path.join(packDir, "tsconfig.json")], { stdio: "inherit", cwd: packDir })
        .status ?? 1;
    if (status === 0) {
      fs.writeFileSync(stamp, newest);
      console.log("pulumi-jobrouter-policy: built dist/");
    }
  }
} finally {
  fs.rmSync(lock, { recursive: true, force: true });
}
process.exit(status);
