import { defineConfig } from "vitest/config";
import { SummaryReporter } from "./test/summary-reporter";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "policy/test/**/*.test.ts"],
    // End-to-end tests drive the real Pulumi engine; each file gets its own emulator and backend.
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ["default", new SummaryReporter()],
    pool: "forks",
    maxWorkers: 2,
    globalSetup: ["test/e2e/harness/global-setup.ts"],
  },
});
