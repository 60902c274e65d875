// The HTTP layer: node:http, fault injection, authentication, response writing and the request log.

import { randomUUID } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { authenticate } from "./auth";
import type { AuthKind } from "./auth";
import type { ErrorFactory } from "./errors";
import type { FaultInjector } from "./faults";
import type { EmulatorResponse } from "./http";
import { ADVERTISED_API_VERSIONS, route } from "./router";
import type { Handler } from "./router";

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** ISO time the request arrived (emulator clock). */
  at: string;
  auth: AuthKind;
  fault?: string;
  /** The parsed request body, with secret fields redacted. */
  body?: unknown;
}

/** Fields whose values are secrets (function keys, webhook client secrets): never logged. */
const SECRET_FIELDS = new Set(["functionKey", "appKey", "clientSecret"]);

/** Azure Functions URIs often carry their key as `?code=`: keep the URI, hide the key. */
function redactUri(uri: string): string {
  return uri.replace(/([?&](?:code|sig|key)=)[^&#]*/gi, "$1***");
}

export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_FIELDS.has(k) && v !== null && v !== undefined) out[k] = "***";
      else if (k.endsWith("Uri") && typeof v === "string") out[k] = redactUri(v);
      else out[k] = redactSecrets(v);
    }
    return out;
  }
  return value;
}

export interface ServerDeps {
  accessKey: string;
  allowBearer: boolean;
  /** With allowBearer: the only tokens accepted (see auth.ts). */
  bearerTokens?: readonly string[];
  /** Allowed signature clock skew; default 15 minutes. */
  maxClockSkewMs?: number;
  now: () => Date;
  errors: ErrorFactory;
  faults: FaultInjector;
  handlers: readonly Handler[];
  log: RequestLogEntry[];
  /** Oldest entries are dropped beyond this many. */
  maxLogEntries: number;
  /** Called with every log entry as it is recorded (the CLI's --log-requests). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Serve TLS with this certificate and key (PEM); plain HTTP when absent. */
  tls?: { cert: string; key: string };
}

function lowerHeaders(req: http.IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
  }
  return out;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: http.ServerResponse, response: EmulatorResponse): void {
  const headers: Record<string, string> = {
    "api-supported-versions": ADVERTISED_API_VERSIONS, // [rec] on every response
    "trace-id": randomUUID(),
    ...response.headers,
  };
  if (response.body !== undefined && response.status !== 204) {
    const text = JSON.stringify(response.body);
    headers["Content-Type"] = "application/json; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(text));
    res.writeHead(response.status, headers);
    res.end(text);
  } else {
    res.writeHead(response.status, headers);
    res.end();
  }
}

export function createHttpServer(deps: ServerDeps): http.Server {
  const scheme = deps.tls ? "https" : "http";
  const log = (entry: RequestLogEntry): void => {
    deps.log.push(entry);
    if (deps.log.length > deps.maxLogEntries) deps.log.splice(0, deps.log.length - deps.maxLogEntries);
    deps.onRequest?.(entry);
  };

  const listener: http.RequestListener = (req, res) => {
    void (async () => {
      const now = deps.now();
      const rawUrl = req.url ?? "/";
      const url = new URL(rawUrl, "http://emulator.invalid");
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) if (!(k in query)) query[k] = v;
      const method = (req.method ?? "GET").toUpperCase();
      const base = { method, path: url.pathname, query, at: now.toISOString() };

      const decision = deps.faults.decide(url.pathname);
      const rawBody = await readBody(req);
      if (decision.latencyMs > 0) await delay(decision.latencyMs);
      if (decision.kind === "drop") {
        log({ ...base, status: 0, auth: "none", fault: "drop" });
        req.socket.destroy();
        return;
      }
      if (decision.kind === "error") {
        const response = deps.errors.throttled(url.pathname, decision.status, decision.retryAfterSeconds);
        log({ ...base, status: response.status, auth: "none", fault: `error-${decision.status}` });
        send(res, response);
        return;
      }
      const fault = decision.latencyMs > 0 ? `latency-${decision.latencyMs}ms` : undefined;
      const headers = lowerHeaders(req);
      const auth = authenticate({
        method,
        rawUrl,
        headers,
        rawBody,
        scheme,
        accessKey: deps.accessKey,
        allowBearer: deps.allowBearer,
        ...(deps.bearerTokens !== undefined ? { bearerTokens: deps.bearerTokens } : {}),
        ...(deps.maxClockSkewMs !== undefined ? { maxClockSkewMs: deps.maxClockSkewMs } : {}),
        now,
      });
      if (!auth.ok) {
        const response = deps.errors.unauthorized(auth.message);
        log({ ...base, status: 401, auth: auth.kind, ...(fault ? { fault } : {}) });
        send(res, response);
        return;
      }
      let routed: Awaited<ReturnType<typeof route>>;
      try {
        routed = await route(
          { method, rawUrl, headers, rawBody: rawBody.toString("utf8"), now, url },
          deps.handlers,
          deps.errors,
        );
      } catch (err) {
        // A bug in a handler must not take the emulator down: log it and answer 500 in the service's envelope.
        log({ ...base, status: 500, auth: auth.kind, ...(fault ? { fault } : {}) });
        throw err;
      }
      const { request, response } = routed;
      const entry: RequestLogEntry = { ...base, status: response.status, auth: auth.kind };
      if (fault) entry.fault = fault;
      if (request.body !== undefined) entry.body = redactSecrets(request.body);
      log(entry);
      send(res, response);
    })().catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      if (!res.headersSent) {
        send(res, {
          status: 500,
          body: {
            communicationError: {
              code: "InternalServerError",
              message,
              target: new URL(req.url ?? "/", "http://emulator.invalid").pathname,
            },
          },
        });
      } else {
        res.destroy();
      }
    });
  };
  // An https.Server is an http.Server with TLS underneath: the rest of the emulator needs no second path.
  const server: http.Server = deps.tls ? https.createServer({ ...deps.tls }, listener) : http.createServer(listener);
  // Keep-alive connections must not hold close() open.
  server.keepAliveTimeout = 5000;
  return server;
}

export function listen(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
