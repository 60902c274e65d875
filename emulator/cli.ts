#!/usr/bin/env node
// jobrouter-emulator [--port N] [--host H] [--access-key KEY] [--data DIR] [--allow-bearer]
//                    [--error-rate R] [--error-status 429|503|mixed] [--retry-after S] [--drop-rate R]
//                    [--latency MS] [--seed N] [--event-webhook URL]... [--log-requests]
//                    [--https [--cert FILE --key FILE]]
// Prints one line on stdout: JOBROUTER_CONNECTION_STRING=endpoint=http://127.0.0.1:PORT/;accesskey=KEY
// With --https the endpoint is https:// and a second line follows: JOBROUTER_CA_CERT=<PEM file to trust>.
// Everything else (errors, shutdown notes) goes to stderr.

import type { EmulatorOptions, FaultOptions, RequestLogEntry } from "./index";
import { startEmulator } from "./index";

const USAGE =
  "usage: jobrouter-emulator [--port N] [--host H] [--access-key KEY] [--data DIR] [--allow-bearer]\n" +
  "                          [--error-rate R] [--error-status 429|503|mixed] [--retry-after S]\n" +
  "                          [--drop-rate R] [--latency MS] [--seed N] [--event-webhook URL]...\n" +
  "                          [--log-requests] [--https [--cert FILE --key FILE]]";

/** One stderr line per request: time, method, path, status, auth and fault (never bodies or keys). */
export function formatRequestLine(e: RequestLogEntry): string {
  return `${e.at} ${e.method} ${e.path} ${e.status === 0 ? "dropped" : e.status} auth=${e.auth}${e.fault ? ` fault=${e.fault}` : ""}`;
}

export function parseArgs(argv: readonly string[]): EmulatorOptions {
  const options: EmulatorOptions = {};
  let logRequests = false;
  const faults: FaultOptions = {};
  let anyFault = false;
  let https = false;
  let certFile: string | undefined;
  let keyFile: string | undefined;
  const args = [...argv];
  const take = (flag: string): string => {
    const v = args.shift();
    if (v === undefined || v.startsWith("--")) throw new Error(`${flag}: needs a value\n${USAGE}`);
    return v;
  };
  const num = (flag: string, v: string): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) throw new Error(`${flag}: must be a number (got ${JSON.stringify(v)})`);
    return n;
  };
  while (args.length > 0) {
    const raw = args.shift() as string;
    const eq = raw.indexOf("=");
    const flag = raw.startsWith("--") && eq > 0 ? raw.slice(0, eq) : raw;
    if (raw.startsWith("--") && eq > 0) args.unshift(raw.slice(eq + 1));
    switch (flag) {
      case "--port": {
        const port = num(flag, take(flag));
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new Error(`--port: must be an integer in 0..65535 (got ${port})`);
        options.port = port;
        break;
      }
      case "--host":
        options.host = take(flag);
        break;
      case "--access-key":
        options.accessKey = take(flag);
        break;
      case "--data":
        options.dataDir = take(flag);
        break;
      case "--allow-bearer":
        options.allowBearer = true;
        break;
      case "--error-rate":
        faults.errorRate = num(flag, take(flag));
        anyFault = true;
        break;
      case "--error-status": {
        const v = take(flag);
        if (v === "mixed") faults.errorStatus = "mixed";
        else if (v === "429" || v === "503") faults.errorStatus = Number(v) as 429 | 503;
        else throw new Error(`--error-status: must be 429, 503 or mixed (got ${JSON.stringify(v)})`);
        anyFault = true;
        break;
      }
      case "--retry-after":
        faults.retryAfterSeconds = num(flag, take(flag));
        anyFault = true;
        break;
      case "--drop-rate":
        faults.dropRate = num(flag, take(flag));
        anyFault = true;
        break;
      case "--latency":
        faults.latencyMs = num(flag, take(flag));
        anyFault = true;
        break;
      case "--seed":
        faults.seed = num(flag, take(flag));
        anyFault = true;
        break;
      case "--event-webhook": {
        const url = take(flag);
        try {
          const u = new URL(url);
          if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
        } catch {
          throw new Error(`--event-webhook: must be an absolute http or https URL (got ${JSON.stringify(url)})`);
        }
        options.runtime = { ...options.runtime, eventWebhooks: [...(options.runtime?.eventWebhooks ?? []), url] };
        break;
      }
      case "--log-requests":
        logRequests = true;
        break;
      case "--https":
        https = true;
        break;
      case "--cert":
        certFile = take(flag);
        break;
      case "--key":
        keyFile = take(flag);
        break;
      case "--help":
      case "-h":
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${JSON.stringify(raw)}\n${USAGE}`);
    }
  }
  if (anyFault) options.faults = faults;
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new Error(`--cert and --key: give both or neither\n${USAGE}`);
  // --cert/--key imply --https: a certificate is only ever given to be served.
  if (certFile !== undefined && keyFile !== undefined) options.https = { certFile, keyFile };
  else if (https) options.https = true;
  if (logRequests) options.onRequest = (e) => process.stderr.write(`${formatRequestLine(e)}\n`);
  return options;
}

async function main(): Promise<void> {
  let options: EmulatorOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const emulator = await startEmulator(options);
  process.stdout.write(`JOBROUTER_CONNECTION_STRING=${emulator.connectionString}\n`);
  if (emulator.caCertPath !== undefined) process.stdout.write(`JOBROUTER_CA_CERT=${emulator.caCertPath}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    emulator.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`jobrouter-emulator: close failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`jobrouter-emulator: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
