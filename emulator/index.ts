// A local Azure Communication Services Job Router emulator (api-version 2023-11-01).
// `startEmulator()` in-process, or `npx jobrouter-emulator` (emulator/cli.ts). See emulator/README.md.

import { randomBytes } from "node:crypto";
import { createAdminHandler } from "./admin";
import { createErrorFactory } from "./errors";
import { EtagFactory } from "./etag";
import { FaultInjector } from "./faults";
import type { FaultOptions } from "./faults";
import { createRuntime } from "./runtime";
import type { RuntimeExtension, RuntimeOptions } from "./runtime";
import type { RequestLogEntry } from "./server";
import { createHttpServer, listen } from "./server";
import type { Store } from "./store";
import { createStore } from "./store";
import { resolveTls, type HttpsOption } from "./tls";

export type { FaultOptions } from "./faults";
export type { RequestLogEntry } from "./server";
export type { Store, StoredRecord, NewRecord, CollectionName } from "./store";
export { MemoryStore, FileStore, createStore } from "./store";
export type { EmulatorRequest, EmulatorResponse, JsonObject, JsonValue } from "./http";
export type { ErrorFactory, ErrorDetail, CommunicationError } from "./errors";
export { createErrorFactory } from "./errors";
export { EtagFactory, httpDate } from "./etag";
export { mergePatch, canonicalJson } from "./mergePatch";
export { checkPreconditions, objectResponse, pageOf, parsePageRequest, wireBody } from "./resource";
export { authenticate, contentHash, signRequest, MAX_CLOCK_SKEW_MS } from "./auth";
export { SUPPORTED_API_VERSIONS } from "./router";
export type { HttpsOption } from "./tls";
export type { RuntimeExtension, RuntimeContext, RuntimeOptions, BlockingReference } from "./runtime";
export { eventName, type RouterEvent, type RouterEventName } from "./runtime";
// A clock a test moves by hand (offer expiry, waitTime exceptions, closeAt), for `startEmulator({ runtime: { clock } })`.
export { ManualClock, type Clock } from "../routing/clock";

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Base64 access key; a random 32-byte key when absent. */
  accessKey?: string;
  /** Persist state as write-through JSON files under this directory; in memory when absent. */
  dataDir?: string;
  /** Accept `Authorization: Bearer …` without verifying it (Entra ID tokens cannot be verified offline). */
  allowBearer?: boolean;
  /**
   * With `allowBearer`: accept only these bearer tokens and refuse others (401), so a test can tell that the token
   * its own token server handed out is the one a client sent. Any token when absent.
   */
  bearerTokens?: readonly string[];
  faults?: FaultOptions;
  /**
   * Injectable clock (signature skew, ETags, Last-Modified, log times). SDK signers use the real time, so a
   * clock far from it needs `maxClockSkewMs` (e.g. Infinity) or every signed request is refused as stale.
   */
  now?: () => Date;
  /** Allowed |now - x-ms-date| in ms; default 15 minutes. Infinity disables the check. */
  maxClockSkewMs?: number;
  /** Request log size limit; default 10000 (oldest dropped). */
  maxLogEntries?: number;
  /** Called with every request log entry as it is recorded (bodies already redacted). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Options of the routing runtime (clock, event webhooks, …), passed through to createRuntime. */
  runtime?: RuntimeOptions;
  /**
   * Serve HTTPS instead of HTTP (the official SDKs' `from_connection_string` always dials https). `true`: a
   * self-signed certificate for 127.0.0.1, ::1 and localhost, generated once and kept under `dataDir` when given;
   * `{certFile, keyFile}`: the user's own PEM files. Clients trust `caCertPath`.
   */
  https?: HttpsOption;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT/` */
  endpoint: string;
  /** `endpoint=http://127.0.0.1:PORT/;accesskey=KEY` (https with the `https` option) */
  connectionString: string;
  /** With `https`: the PEM file clients should trust (REQUESTS_CA_BUNDLE, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS). */
  caCertPath?: string;
  accessKey: string;
  port: number;
  /** Every request answered (or dropped), oldest first; secrets in bodies are redacted. */
  requests: RequestLogEntry[];
  clearRequests(): void;
  /** Replace the fault options at run time (undefined switches faults off); restarts the seeded PRNG. */
  setFaults(f: FaultOptions | undefined): void;
  store: Store;
  /** The routing runtime (jobs, workers, offers, events). */
  runtime: RuntimeExtension;
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const accessKey = options.accessKey ?? randomBytes(32).toString("base64");
  const host = options.host ?? "127.0.0.1";
  const now = options.now ?? (() => new Date());
  // Before anything starts: a bad certificate path fails here, with nothing to clean up.
  const tls = options.https ? await resolveTls(options.https, options.dataDir, now()) : undefined;
  const errors = createErrorFactory();
  const etags = new EtagFactory();
  const store = createStore(options.dataDir);
  const faults = new FaultInjector(options.faults);
  const runtime = createRuntime({
    store,
    now,
    // The routing engine reads the time many times per job: without an injected clock, no Date per reading.
    ...(options.now ? {} : { nowMs: Date.now }),
    errors,
    etags,
    ...(options.runtime ? { runtime: options.runtime } : {}),
  });
  const admin = createAdminHandler({ store, errors, etags, runtime });
  const requests: RequestLogEntry[] = [];
  const server = createHttpServer({
    accessKey,
    allowBearer: options.allowBearer ?? false,
    ...(options.bearerTokens !== undefined ? { bearerTokens: options.bearerTokens } : {}),
    ...(options.maxClockSkewMs !== undefined ? { maxClockSkewMs: options.maxClockSkewMs } : {}),
    now,
    errors,
    faults,
    handlers: [runtime, admin],
    log: requests,
    maxLogEntries: options.maxLogEntries ?? 10_000,
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}),
  });
  const address = await listen(server, options.port ?? 0, host);
  const endpoint = `${tls ? "https" : "http"}://${urlHost(host)}:${address.port}/`;
  let closed: Promise<void> | undefined;
  return {
    endpoint,
    connectionString: `endpoint=${endpoint};accesskey=${accessKey}`,
    ...(tls ? { caCertPath: tls.caCertPath } : {}),
    accessKey,
    port: address.port,
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
    setFaults: (f) => faults.set(f),
    store,
    runtime,
    close: () => {
      closed ??= (async () => {
        await new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeAllConnections();
        });
        await runtime.close();
        await store.close();
        tls?.dispose();
      })();
      return closed;
    },
  };
}
