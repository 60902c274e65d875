// `npm run bench -- --only-export`: jobrouter-export on a namespace of N objects (default 1,000, the bench workload's
// contact-center mix, function rules with keys included) while the emulator answers 10% of requests with 429/503
// (Retry-After 1 s). Times exportNamespace in-process (list with paging and the client's retries, plan, generate,
// format) and checks the result is complete and identical to an export without faults.
//
//   npm run bench -- --only-export [--export-size 1000] [--export-error-rate 0.1] [--export-page-size 100]

import { JobRouterClient } from "../provider/client/client";
import { startEmulator } from "../emulator";
import { exportNamespace } from "../exporter/export";
import { pool } from "./load";
import { benchObjects, creationWaves } from "./workload";

export interface ExportBenchOptions {
  size: number;
  errorRate: number;
  /** `maxpagesize` of the export's list requests; default the exporter's (100). */
  pageSize?: number;
  log: (line: string) => void;
}

export interface ExportBenchResult {
  objects: number;
  pageSize: number;
  requests: number;
  faulted: number;
  status429: number;
  status503: number;
  seconds: number;
  files: number;
  programBytes: number;
  secrets: number;
}

export async function exportBench(options: ExportBenchOptions): Promise<ExportBenchResult> {
  const emulator = await startEmulator({ port: 0, maxLogEntries: 100_000 });
  try {
    const client = JobRouterClient.fromConnectionString(emulator.connectionString, { retryOptions: { maxRetries: 8 } });
    const objects = benchObjects(options.size, { prefix: "x", functionRules: true });
    options.log(`export benchmark: creating ${objects.length} objects`);
    for (const wave of creationWaves(objects)) {
      await pool(wave.length, 16, async (i) => {
        const o = wave[i];
        if (!o) return;
        const body: Record<string, unknown> = { ...o.body, ...o.refs };
        if (o.collection === "classificationPolicies" && o.needsFunctionKey) {
          body["prioritizationRule"] = { ...o.body.prioritizationRule, credential: { functionKey: `key-${o.id}` } };
        }
        await client.upsert(o.collection, o.id, body);
      });
    }
    const clean = await exportNamespace(client);
    emulator.clearRequests();
    emulator.setFaults({ errorRate: options.errorRate, errorStatus: "mixed", retryAfterSeconds: 1, seed: 7 });
    options.log(
      `export benchmark: exporting ${objects.length} objects with ${options.errorRate * 100}% 429/503 faults`,
    );
    const started = performance.now();
    const result = await exportNamespace(client, { maxPageSize: options.pageSize });
    const seconds = (performance.now() - started) / 1000;
    emulator.setFaults(undefined);
    const c = result.counts;
    const exported = c.distributionPolicies + c.queues + c.classificationPolicies + c.exceptionPolicies;
    if (exported !== objects.length)
      throw new Error(`export benchmark: exported ${exported} of ${objects.length} objects`);
    for (const [name, text] of Object.entries(clean.files)) {
      if (result.files[name] !== text)
        throw new Error(`export benchmark: ${name} differs from the export without faults`);
    }
    const requests = emulator.requests;
    return {
      objects: exported,
      pageSize: options.pageSize ?? 100,
      requests: requests.length,
      faulted: requests.filter((r) => r.fault !== undefined).length,
      status429: requests.filter((r) => r.status === 429).length,
      status503: requests.filter((r) => r.status === 503).length,
      seconds,
      files: Object.keys(result.files).length,
      programBytes: Buffer.byteLength(result.files["index.ts"] ?? ""),
      secrets: result.secrets.length,
    };
  } finally {
    await emulator.close();
  }
}

export function exportBenchLine(r: ExportBenchResult, errorRate: number): string {
  return (
    `export: ${r.objects} objects in ${r.seconds.toFixed(2)} s with ${(errorRate * 100).toFixed(0)}% injected faults ` +
    `(pages of ${r.pageSize}: ${r.requests} requests, ${r.faulted} faulted: ${r.status429}x 429, ${r.status503}x 503; ` +
    `${r.files} files, index.ts ${r.programBytes} bytes, ${r.secrets} secrets; identical to the export without faults)`
  );
}

/** Entry from bench/run.ts for `--only-export`. */
export async function exportBenchMain(argv: readonly string[]): Promise<void> {
  const value = (flag: string, fallback: number): number => {
    const i = argv.indexOf(flag);
    if (i < 0) return fallback;
    const n = Number(argv[i + 1]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${flag}: expected a number >= 0, got ${argv[i + 1]}`);
    return n;
  };
  const size = value("--export-size", 1000);
  const errorRate = value("--export-error-rate", 0.1);
  const pageSize = value("--export-page-size", 100);
  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  };
  const r = await exportBench({ size, errorRate, pageSize, log });
  process.stdout.write(`${exportBenchLine(r, errorRate)}\n`);
}
