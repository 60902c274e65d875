// The files around the program: Pulumi.yaml, package.json, tsconfig.json, .gitignore.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { sortKeys } from "../provider/json";

interface OwnPackage {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
}

/** What the generated project's development tools are pinned to (the published manifest has no devDependencies). */
const PROJECT_DEV_DEPENDENCIES = { "@types/node": "^24.0.0", typescript: "^5.9.0" };

/**
 * This package's published manifest, found upwards from here: in an installed package it is the package's own
 * package.json (dist/ lies one level deeper than the source tree); in this repository it is
 * packages/pulumi-jobrouter/package.json (the repository root is the private development package).
 */
export function ownPackage(): OwnPackage {
  let dir = __dirname;
  for (let i = 0; i < 5; i += 1) {
    for (const candidate of [
      path.join(dir, "package.json"),
      path.join(dir, "packages", "pulumi-jobrouter", "package.json"),
    ]) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, "utf8")) as OwnPackage;
        if (pkg.name === "pulumi-jobrouter") return pkg;
      } catch {
        // not here: look further
      }
    }
    dir = path.dirname(dir);
  }
  throw new Error("jobrouter-export: cannot find the package.json of pulumi-jobrouter");
}

export interface ProjectOptions {
  /** The Pulumi project name (and the npm package name of the project). */
  readonly projectName: string;
  /** How the project depends on this package: a version range, a tarball path or URL. */
  readonly packageSpec: string;
}

export const PROJECT_NAME_RULE = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/** `^<this version>`: the release the export was made with. */
export function defaultPackageSpec(): string {
  return `^${ownPackage().version}`;
}

/**
 * The dependency value for package.json: `pulumi-jobrouter@x` as `x`; a local tarball or folder (a path that
 * exists) as `file:<absolute path>`, so the project installs from anywhere; anything else as given.
 */
export function packageSpecValue(spec: string, exists: (p: string) => boolean): string {
  const bare = spec.replace(/^pulumi-jobrouter@/, "");
  if (/^(file|https?|git\+\w+):/.test(bare)) return bare;
  if ((bare.startsWith(".") || bare.startsWith("/") || bare.endsWith(".tgz")) && exists(bare)) {
    return `file:${path.resolve(bare)}`;
  }
  return bare;
}

/** The unformatted files of the project other than the program. */
export function projectFiles(options: ProjectOptions): Record<string, string> {
  const own = ownPackage();
  const pulumiVersion = own.peerDependencies?.["@pulumi/pulumi"] ?? "^3.0.0";
  const packageJson = {
    name: options.projectName,
    private: true,
    main: "index.ts",
    dependencies: sortKeys({ "@pulumi/pulumi": pulumiVersion, "pulumi-jobrouter": options.packageSpec }),
    devDependencies: sortKeys(PROJECT_DEV_DEPENDENCIES),
  };
  const tsconfig = {
    compilerOptions: {
      strict: true,
      target: "ES2022",
      module: "commonjs",
      moduleResolution: "node10",
      esModuleInterop: true,
      skipLibCheck: true,
      types: ["node"],
      outDir: "bin",
    },
    files: ["index.ts"],
  };
  const pulumiYaml = [
    `name: ${options.projectName}`,
    "description: The Job Router objects of an existing namespace, adopted as they are (written by jobrouter-export).",
    "runtime:",
    "  name: nodejs",
    "  options:",
    "    typescript: true",
    "",
  ].join("\n");
  return {
    "Pulumi.yaml": pulumiYaml,
    "package.json": `${JSON.stringify(packageJson, null, 2)}\n`,
    "tsconfig.json": `${JSON.stringify(tsconfig, null, 2)}\n`,
    ".gitignore": "node_modules/\nbin/\n",
  };
}
