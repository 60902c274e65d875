// Runs bench/load.ts in its own Node process (see there why) and returns what it printed.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import type { LoadCommand, LoadResult } from "./load";

/**
 * `script` defaults to the compiled load.js next to this file; the benchmark passes its snapshot's copy, since a
 * concurrent `npm run build` empties dist/ for a few seconds.
 */
export function runLoadProcess(
  connectionString: string,
  command: LoadCommand,
  functionKey?: string,
  script: string = path.join(__dirname, "load.js"),
): Promise<LoadResult> {
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` and use dist/bench`);
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    env.JOBROUTER_CONNECTION_STRING = connectionString;
    if (functionKey !== undefined) env.BENCH_FUNCTION_KEY = functionKey;
    const child = spawn(process.execPath, [script, JSON.stringify(command)], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      const text = Buffer.concat(out).toString("utf8").trim();
      if (code !== 0) {
        reject(new Error(`load process (${command.mode}) exited ${code}: ${Buffer.concat(err).toString("utf8")}`));
        return;
      }
      resolve(JSON.parse(text) as LoadResult);
    });
  });
}
