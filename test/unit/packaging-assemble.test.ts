// scripts/assemble.js: which compiled files a published package holds, and the manifest checks that stop a build
// whose package would fail a user at install or import time. (The real packages are exercised end to end by
// test/e2e/consumer-install.test.ts.)

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

interface Manifest {
  name: string;
  main?: string;
  types?: string;
  bin?: Record<string, string>;
  exports?: Record<string, unknown>;
  typesVersions?: Record<string, Record<string, string[]>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}
interface AssembleModule {
  closure(root: string, name: string, entries: string[]): { files: Set<string>; bare: Map<string, string> };
  checkManifest(manifest: Manifest, root: string, devRoot: Manifest, bare: Map<string, string>): void;
  packageOf(specifier: string): string;
}
const assemble = require("../../scripts/assemble.js") as AssembleModule;

const root = mkdtempSync(path.join(tmpdir(), "assemble-test-"));
function file(rel: string, text = ""): void {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}
file("dist/index.js", 'const a = require("./lib/a");\nconst fs = require("node:fs");\nrequire("path");\n');
file("dist/index.d.ts", 'export * from "./lib/a";\n');
file("dist/lib/a.js", 'require("@azure/core-auth/sub");\nrequire("./b.js");\nrequire("pkg/dist/lib/c.js");\n');
file("dist/lib/a.d.ts", 'import type { T } from "./types";\nexport declare const a: T;\n');
file("dist/lib/types.d.ts", "export type T = string;\n");
file("dist/lib/types.js", '"use strict";\n');
file("dist/lib/b.js", "");
file("dist/lib/c.js", "");
file("dist/bench/unreached.js", "");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("closure", () => {
  it("holds what the entry points reach: relative requires, self-references, declarations; never the rest", () => {
    const { files, bare } = assemble.closure(root, "pkg", ["dist/index.js"]);
    expect([...files].sort()).toEqual([
      "dist/index.d.ts",
      "dist/index.js",
      "dist/lib/a.d.ts",
      "dist/lib/a.js",
      "dist/lib/b.js",
      "dist/lib/c.js",
      "dist/lib/types.d.ts",
    ]);
    // Builtins (with or without node:) are not packages; a deep import counts as its package.
    expect([...bare.entries()]).toEqual([["@azure/core-auth", "dist/lib/a.js"]]);
  });

  it("fails on an import the build does not have", () => {
    file("dist/broken.js", 'require("./missing");\n');
    expect(() => assemble.closure(root, "pkg", ["dist/broken.js"])).toThrow(
      'pkg: dist/broken.js imports "./missing", which is not in the build',
    );
  });
});

describe("checkManifest", () => {
  const devRoot: Manifest = {
    name: "dev",
    dependencies: { "@azure/core-auth": "1.11.0", "@pulumi/pulumi": "3.259.0" },
  };
  const good: Manifest = {
    name: "pkg",
    main: "dist/index.js",
    types: "dist/index.d.ts",
    exports: {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./a": { types: "./dist/lib/a.d.ts", default: "./dist/lib/a.js" },
      "./dist/*": "./dist/*",
    },
    typesVersions: { "*": { a: ["dist/lib/a.d.ts"] } },
    dependencies: { "@azure/core-auth": "1.11.0" },
    peerDependencies: { "@pulumi/pulumi": "^3.259.0" },
  };
  const bare = new Map([["@azure/core-auth", "dist/lib/a.js"]]);

  it("accepts a consistent manifest", () => {
    expect(() => assemble.checkManifest(good, root, devRoot, bare)).not.toThrow();
  });

  it("names every problem a user would hit", () => {
    const bad: Manifest = {
      ...good,
      exports: { ...good.exports, "./sim": { types: "./dist/sim/index.d.ts", default: "./dist/sim/index.js" } },
      dependencies: { "@azure/core-auth": "1.10.0" },
      peerDependencies: {},
      scripts: { prepare: "node build.js" },
    };
    let message = "";
    try {
      assemble.checkManifest(bad, root, devRoot, new Map([...bare, ["left-pad", "dist/index.js"]]));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "packages/pkg/package.json:",
      '  - dist/index.js requires "left-pad", which is not in dependencies or peerDependencies',
      "  - dependency @azure/core-auth@1.10.0 differs from the repository's @azure/core-auth@1.11.0",
      '  - exports["./sim"] needs typesVersions["*"]["sim"]: ["dist/sim/index.d.ts"] (moduleResolution node10)',
      "  - entry point dist/sim/index.d.ts is not in the build",
      "  - entry point dist/sim/index.js is not in the build",
      "  - a published manifest has no scripts (its build is this repository's, not the user's)",
    ]);
  });
});
