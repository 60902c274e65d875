// vitest globalSetup: makes sure the pinned Pulumi CLI is there before any end-to-end test starts, so `npm test`
// works on a fresh clone (the first run builds the CLI; later runs find it in .cache/pulumi in well under a second).
// A run whose file filters all point outside test/e2e (e.g. `npx vitest run test/unit/foo.test.ts`) skips it.

import { spawnSync } from "node:child_process";
import { ensurePulumiScript, repoRoot } from "./paths";

function onlyNonE2eFilters(argv: string[]): boolean {
  const runIndex = argv.findIndex((a) => a === "run" || a === "watch");
  const filters = argv.slice(runIndex + 1).filter((a) => !a.startsWith("-"));
  return filters.length > 0 && filters.every((f) => !f.includes("e2e"));
}

export function setup(): void {
  if (onlyNonE2eFilters(process.argv)) return;
  const started = Date.now();
  const result = spawnSync("bash", [ensurePulumiScript], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) {
    throw new Error(`scripts/ensure-pulumi failed (exit ${result.status}); end-to-end tests need the Pulumi CLI`);
  }
  const seconds = (Date.now() - started) / 1000;
  if (seconds > 5) console.log(`Pulumi CLI ready after ${seconds.toFixed(0)} s (scripts/ensure-pulumi)`);
}
