// Builds the package and installs the build into node_modules/pulumi-jobrouter.
//
// Why a copy and not a symlink: Pulumi serializes a dynamic provider's closure into state.
// Modules whose real path lies under node_modules are captured as `require("pkg/...")`;
// any other module is serialized by value (large, and it breaks on SDK internals).
// A symlink resolves to the repository path, so programs in this repository (the root
// program, examples, tests) must see the package as a real directory under node_modules,
// exactly as a user who ran `npm install pulumi-jobrouter` does.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
const started = Date.now();
/** Subpath entry points of the package and the dist/ folder each one re-exports. */
const SUBPATHS = { client: "provider/client", emulator: "emulator", simulator: "simulator" };

// Several builds may run at once (developers, parallel test runs): serialize them with a lock dir.
const lock = path.join(root, "node_modules", ".pulumi-jobrouter-build.lock");
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
  throw new Error(`could not take the build lock ${lock}`);
}
acquire();
let status = 0;
// Build into a fresh directory and swap it in, so a process using dist/ (a test, `npm start`) never sees it half
// deleted; the installed copy is swapped the same way.
const swapIn = (fresh, target) => {
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(fresh, target);
  fs.rmSync(old, { recursive: true, force: true });
};
try {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const freshDist = path.join(root, `dist.tmp-${process.pid}`);
  fs.rmSync(freshDist, { recursive: true, force: true });
  // tsc emits JavaScript even when it reports type errors; we install that output and then fail,
  // so a type error fails CI without leaving the installed copy stale.
  status =
    spawnSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.json"), "--outDir", freshDist], {
      stdio: "inherit",
      cwd: root,
    }).status ?? 1;
  if (!fs.existsSync(freshDist)) throw new Error("tsc produced no output");

  const target = path.join(root, "node_modules", pkg.name);
  const freshCopy = `${target}.tmp-${process.pid}`;
  fs.rmSync(freshCopy, { recursive: true, force: true });
  fs.mkdirSync(freshCopy, { recursive: true });
  fs.cpSync(freshDist, path.join(freshCopy, "dist"), { recursive: true });
  // The copy has no dependencies of its own: its requires resolve to the repository's node_modules.
  const installed = { ...pkg, scripts: {}, devDependencies: {}, optionalDependencies: {} };
  fs.writeFileSync(path.join(freshCopy, "package.json"), JSON.stringify(installed, null, 2) + "\n");
  // Subpath entry points ("pulumi-jobrouter/client", "pulumi-jobrouter/emulator") as plain folders rather than
  // package.json "exports": with "exports", Node's package self-reference would resolve "pulumi-jobrouter" from any
  // file inside this repository to the repository's own dist/ instead of this installed copy.
  for (const [sub, target] of Object.entries(SUBPATHS)) {
    fs.mkdirSync(path.join(freshCopy, sub), { recursive: true });
    fs.writeFileSync(
      path.join(freshCopy, sub, "index.js"),
      `module.exports = require("../dist/${target}/index.js");\n`,
    );
    fs.writeFileSync(path.join(freshCopy, sub, "index.d.ts"), `export * from "../dist/${target}/index";\n`);
  }
  swapIn(freshDist, path.join(root, "dist"));
  swapIn(freshCopy, target);

  // Link the package's own bins so `npx jobrouter-emulator` works inside the repository.
  const binDir = path.join(root, "node_modules", ".bin");
  fs.mkdirSync(binDir, { recursive: true });
  for (const [name, rel] of Object.entries(pkg.bin ?? {})) {
    const link = path.join(binDir, name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(path.relative(binDir, path.join(target, rel)), link);
    if (fs.existsSync(path.join(target, rel))) fs.chmodSync(path.join(target, rel), 0o755);
  }
  console.log(
    `pulumi-jobrouter: built and installed into node_modules/${pkg.name} in ${Date.now() - started} ms` +
      (status ? " (with type errors)" : ""),
  );
} finally {
  fs.rmSync(lock, { recursive: true, force: true });
}
process.exit(status);
