// Builds the packages and installs them into this repository's node_modules, as a user's `npm install` would.
//
//   tsc -> dist/ (everything: library, emulator, root program, scripts, bench)
//   dist/ + packages/<name>/package.json -> .cache/packages/<name>/ (scripts/assemble.js; `npm run package` packs these)
//   .cache/packages/<name>/ -> node_modules/<name>/ (a copy), and their bins into node_modules/.bin
//
// Why a copy under node_modules and not a symlink or the repository's own dist/: Pulumi serializes a dynamic
// provider's closure into state. Modules whose real path lies under node_modules are captured as
// `require("pkg/...")`; any other module is serialized by value (large, and it breaks on SDK internals). So the
// programs in this repository (the root program, examples, tests) must load the package from a real directory
// under node_modules, exactly as in a user's project. The repository root is a private package with another name
// (pulumi-jobrouter-dev), so nothing here resolves `pulumi-jobrouter` to the repository itself through Node's
// package self-reference.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { PACKAGES_OUT, assemblePackages } = require("./assemble.js");

// `npm install <git URL of this repository>` clones it and runs this script (as the root's `prepare`), then packs the
// repository root: the private development package, not the library. Stop there with the way that works. (pacote,
// npm's fetcher, sets _PACOTE_NO_PREPARE_ for the `npm install` it runs in the clone, which runs this script.)
if (process.env._PACOTE_NO_PREPARE_ !== undefined) {
  console.error(
    "pulumi-jobrouter cannot be installed from its git repository: the repository root is the development package.\n" +
      "Install the tarballs `npm run package` makes in a clone (or the published packages): see README.md, Install.",
  );
  process.exit(1);
}

const root = path.resolve(__dirname, "..");
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
const started = Date.now();

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
fs.mkdirSync(path.join(root, PACKAGES_OUT), { recursive: true });
let status = 0;
// Build into a fresh directory and swap it in, so a process using dist/ (a test, `npm start`) never sees it half
// deleted; the assembled packages and the installed copies are swapped the same way.
const swapIn = (fresh, target) => {
  const old = `${target}.old-${process.pid}`;
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(fresh, target);
  fs.rmSync(old, { recursive: true, force: true });
};
try {
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

  const assembled = assemblePackages(root, freshDist);
  swapIn(freshDist, path.join(root, "dist"));

  const binDir = path.join(root, "node_modules", ".bin");
  fs.mkdirSync(binDir, { recursive: true });
  for (const pkg of assembled) {
    const packageDir = path.join(root, PACKAGES_OUT, pkg.name);
    const installed = path.join(root, "node_modules", pkg.name);
    const freshCopy = `${installed}.tmp-${process.pid}`;
    fs.rmSync(freshCopy, { recursive: true, force: true });
    fs.cpSync(pkg.dir, freshCopy, { recursive: true });
    swapIn(pkg.dir, packageDir);
    swapIn(freshCopy, installed);
    // The package's bins, linked as npm links them, so `npx jobrouter-emulator` works inside the repository.
    for (const [name, rel] of Object.entries(pkg.bin)) {
      const link = path.join(binDir, name);
      fs.rmSync(link, { force: true });
      fs.symlinkSync(path.relative(binDir, path.join(installed, rel)), link);
    }
  }
  console.log(
    `pulumi-jobrouter: built ${assembled.map((p) => p.name).join(", ")} and installed them into node_modules ` +
      `in ${Date.now() - started} ms` +
      (status ? " (with type errors)" : ""),
  );
} finally {
  // Whatever a failed build left behind (after a success these are gone already).
  fs.rmSync(path.join(root, `dist.tmp-${process.pid}`), { recursive: true, force: true });
  for (const dir of fs.readdirSync(path.join(root, PACKAGES_OUT), { withFileTypes: true })) {
    if (dir.name.endsWith(`.tmp-${process.pid}`))
      fs.rmSync(path.join(root, PACKAGES_OUT, dir.name), { recursive: true });
  }
  fs.rmSync(lock, { recursive: true, force: true });
}
process.exit(status);
