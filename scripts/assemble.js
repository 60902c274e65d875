// Assembles the published packages from the build output (dist/) and their manifests (packages/<name>/package.json).
//
// Each package holds exactly the compiled modules reachable from its entry points (its "exports" and "bin"
// targets), found by following the `require(...)` calls of the JavaScript and the imports of the declaration files.
// So dist/bench, dist/program and dist/scripts never ship, a new folder ships as soon as an entry point reaches it,
// and the emulator package holds the emulator plus the two client modules it shares (models, validation) and
// nothing of Pulumi. Source maps are left out (the TypeScript sources are not shipped, so a map would dangle) and
// so is the `//# sourceMappingURL` comment that would point at them.
//
// The assembly also checks what a user would otherwise find out at install time: every entry point exists, every
// package a shipped module requires is declared, declared versions match the ones this repository tests with, and
// every typed subpath has a `typesVersions` entry (TypeScript's `moduleResolution: node10` ignores "exports").
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { builtinModules } = require("node:module");

/** Where the packages are assembled (git-ignored); `npm run package` packs these directories. */
const PACKAGES_OUT = path.join(".cache", "packages");

/**
 * The published packages: the manifest's folder, and the README that goes in the tarball.
 * @type {{ name: string, manifestDir: string, readme: string }[]}
 */
const PACKAGES = [
  { name: "pulumi-jobrouter", manifestDir: "packages/pulumi-jobrouter", readme: "README.md" },
  {
    name: "jobrouter-emulator",
    manifestDir: "packages/jobrouter-emulator",
    readme: "packages/jobrouter-emulator/README.md",
  },
];

const BUILTINS = new Set(builtinModules);

/** "@scope/name/sub" -> "@scope/name", "name/sub" -> "name". */
function packageOf(specifier) {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? specifier);
}

/** Every file an "exports" value can point at (conditions flattened), as paths relative to the package root. */
function exportTargets(value) {
  if (typeof value === "string") return [value.replace(/^\.\//, "")];
  if (value && typeof value === "object") return Object.values(value).flatMap(exportTargets);
  return [];
}

/** Module specifiers in a compiled file: require("…") in JavaScript; import/export from "…" and import("…") in .d.ts. */
function specifiersIn(file, text) {
  const pattern = file.endsWith(".d.ts")
    ? /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+|<reference\s+path=)"([^"]+)"/g
    : /\brequire\(\s*"([^"]+)"\s*\)/g;
  return [...text.matchAll(pattern)].map((m) => m[1]);
}

/** The file a relative specifier names, trying what Node (for .js) or TypeScript (for .d.ts) would try. */
function resolveRelative(fromFile, specifier, root) {
  const base = path.resolve(path.dirname(path.join(root, fromFile)), specifier);
  const candidates = fromFile.endsWith(".d.ts")
    ? [`${base.replace(/\.js$/, "")}.d.ts`, path.join(base, "index.d.ts"), base]
    : [base, `${base}.js`, path.join(base, "index.js")];
  const found = candidates.find((c) => fs.statSync(c, { throwIfNoEntry: false })?.isFile());
  return found && path.relative(root, found);
}

/**
 * The files of one package: the closure of its entry points over relative and self-referencing imports.
 * @returns {{ files: Set<string>, bare: Map<string, string> }} bare: package name -> first file that requires it
 */
function closure(root, name, entries) {
  const files = new Set();
  const bare = new Map();
  const queue = [...entries];
  while (queue.length > 0) {
    const rel = queue.pop();
    if (files.has(rel)) continue;
    files.add(rel);
    if (rel.endsWith(".js")) {
      const types = rel.replace(/\.js$/, ".d.ts");
      if (fs.existsSync(path.join(root, types))) queue.push(types);
    }
    if (!rel.endsWith(".js") && !rel.endsWith(".d.ts")) continue;
    for (const spec of specifiersIn(rel, fs.readFileSync(path.join(root, rel), "utf8"))) {
      if (spec.startsWith(".")) {
        const target = resolveRelative(rel, spec, root);
        if (!target) throw new Error(`${name}: ${rel} imports "${spec}", which is not in the build`);
        queue.push(target);
      } else if (spec === name || spec.startsWith(`${name}/`)) {
        // A self-reference such as require("pulumi-jobrouter/dist/provider/engine.js") (what dynamic providers do).
        const sub = spec.slice(name.length + 1);
        if (sub && !fs.existsSync(path.join(root, sub))) {
          throw new Error(`${name}: ${rel} requires "${spec}", which is not in the build`);
        }
        if (sub) queue.push(sub);
      } else if (!spec.startsWith("node:") && !BUILTINS.has(spec) && !BUILTINS.has(packageOf(spec))) {
        if (!bare.has(packageOf(spec))) bare.set(packageOf(spec), rel);
      }
    }
  }
  return { files, bare };
}

/** Throws unless the manifest is consistent with the build and with the repository's own dependencies. */
function checkManifest(manifest, root, devRoot, bare) {
  const name = manifest.name;
  const problems = [];
  const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
  for (const [pkg, file] of bare) {
    if (!(pkg in declared))
      problems.push(`${file} requires "${pkg}", which is not in dependencies or peerDependencies`);
  }
  const tested = { ...devRoot.dependencies, ...devRoot.devDependencies };
  for (const [pkg, version] of Object.entries(manifest.dependencies ?? {})) {
    if (tested[pkg] !== version) {
      problems.push(`dependency ${pkg}@${version} differs from the repository's ${pkg}@${tested[pkg] ?? "(none)"}`);
    }
  }
  for (const [pkg, range] of Object.entries(manifest.peerDependencies ?? {})) {
    if (tested[pkg] === undefined || range !== `^${tested[pkg]}`) {
      problems.push(`peer dependency ${pkg}@${range} should be ^ the repository's ${pkg}@${tested[pkg] ?? "(none)"}`);
    }
  }
  for (const [subpath, value] of Object.entries(manifest.exports ?? {})) {
    if (subpath.includes("*") || typeof value !== "object" || !value.types) continue;
    const key = subpath.replace(/^\.\/?/, "");
    if (key === "") continue;
    const mapped = manifest.typesVersions?.["*"]?.[key];
    const wanted = value.types.replace(/^\.\//, "");
    if (!mapped || mapped[0] !== wanted) {
      problems.push(
        `exports["${subpath}"] needs typesVersions["*"]["${key}"]: ["${wanted}"] (moduleResolution node10)`,
      );
    }
  }
  for (const target of [
    ...exportTargets(manifest.exports).filter((t) => !t.includes("*") && t !== "package.json"),
    ...Object.values(manifest.bin ?? {}),
    manifest.main,
    manifest.types,
  ]) {
    if (target && !fs.existsSync(path.join(root, target))) problems.push(`entry point ${target} is not in the build`);
  }
  if (manifest.scripts && Object.keys(manifest.scripts).length > 0) {
    problems.push("a published manifest has no scripts (its build is this repository's, not the user's)");
  }
  if (problems.length > 0) {
    throw new Error(`packages/${name}/package.json:\n  - ${problems.join("\n  - ")}`);
  }
}

/**
 * Assembles every package into <repo>/.cache/packages/<name>.tmp-<pid> and returns those directories; the caller
 * swaps them in. `root` is the repository root, whose dist/ holds the build.
 * @returns {{ name: string, dir: string, bin: Record<string, string> }[]}
 */
function assemblePackages(root, buildDir) {
  const devRoot = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  if (devRoot.bin && Object.keys(devRoot.bin).length > 0) {
    // npm never links a root project's own bins, and the root is not published: a command there would reach nobody.
    throw new Error(
      `package.json (the development root) has "bin" ${JSON.stringify(devRoot.bin)}: move each command into the ` +
        '"bin" of the published manifest that ships it (packages/pulumi-jobrouter/package.json or ' +
        "packages/jobrouter-emulator/package.json); the build links those into node_modules/.bin",
    );
  }
  // The build's files are addressed as "dist/…", as inside the package; buildDir may be a fresh directory.
  const view = path.join(root, PACKAGES_OUT, `.view-${process.pid}`);
  fs.rmSync(view, { recursive: true, force: true });
  fs.mkdirSync(view, { recursive: true });
  fs.symlinkSync(buildDir, path.join(view, "dist"));
  try {
    return PACKAGES.map(({ name, manifestDir, readme }) => {
      const manifest = JSON.parse(fs.readFileSync(path.join(root, manifestDir, "package.json"), "utf8"));
      if (manifest.name !== name) throw new Error(`${manifestDir}/package.json: name must be "${name}"`);
      const entries = [
        ...exportTargets(manifest.exports).filter((t) => t.endsWith(".js") || t.endsWith(".d.ts")),
        ...Object.values(manifest.bin ?? {}),
        manifest.main,
        manifest.types,
      ].filter((e) => e && !e.includes("*") && fs.existsSync(path.join(view, e)));
      const { files, bare } = closure(view, name, entries);
      checkManifest(manifest, view, devRoot, bare);

      const out = path.join(root, PACKAGES_OUT, `${name}.tmp-${process.pid}`);
      fs.rmSync(out, { recursive: true, force: true });
      for (const rel of [...files].sort()) {
        const dest = path.join(out, rel);
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        let text = fs.readFileSync(path.join(view, rel), "utf8");
        if (rel.endsWith(".js")) text = text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
        fs.writeFileSync(dest, text);
      }
      for (const bin of Object.values(manifest.bin ?? {})) fs.chmodSync(path.join(out, bin), 0o755);
      fs.copyFileSync(path.join(root, readme), path.join(out, "README.md"));
      fs.writeFileSync(path.join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
      return { name, dir: out, bin: manifest.bin ?? {} };
    });
  } finally {
    fs.rmSync(view, { recursive: true, force: true });
  }
}

module.exports = { PACKAGES, PACKAGES_OUT, assemblePackages, checkManifest, closure, packageOf };
