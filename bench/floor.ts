// The machine's own limit for the routing benchmark (issue 23): a minimal Node HTTP server that does what every
// emulator request must do and nothing else: read the body, verify the same HMAC-SHA256 signature with the same
// code (emulator/auth.ts), parse the JSON body and answer each PATCH with it, serialized again, as the emulator
// parses and serializes. No routing, no store, no events. The same load process (bench/load.ts, its own Node
// process) submits the same jobs to it, so emulator ÷ floor says how much of the machine's HTTP ceiling the
// emulator's routing leaves. On 2 cores that ceiling is the load process's: see bench/README.md.

import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { authenticate } from "../emulator/auth";
import { percentile } from "./load";

export interface FloorServer {
  connectionString: string;
  /** PATCHes answered, and each one's time from its first byte read to its answer written (ms). */
  stats(): { answered: number; windowMs: number; latenciesMs: number[] };
  close(): Promise<void>;
}

export async function startFloorServer(): Promise<FloorServer> {
  const accessKey = randomBytes(32).toString("base64");
  const latencies: number[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  const server = http.createServer((req, res) => {
    const started = performance.now();
    first = Math.min(first, started);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v;
      }
      const method = (req.method ?? "GET").toUpperCase();
      const auth = authenticate({
        method,
        rawUrl: req.url ?? "/",
        headers,
        rawBody,
        accessKey,
        allowBearer: false,
        now: new Date(),
      });
      if (!auth.ok) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "Unauthorized", message: auth.message } }));
        return;
      }
      if (method !== "PATCH") {
        res.writeHead(405, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "MethodNotAllowed", message: `the floor answers PATCH only` } }));
        return;
      }
      let text: string;
      try {
        text = JSON.stringify(JSON.parse(rawBody.toString("utf8")));
      } catch {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { code: "BadRequest", message: "the body is not JSON" } }));
        return;
      }
      res.writeHead(200, {
        "content-type": "application/json; charset=utf-8",
        "content-length": String(Buffer.byteLength(text)),
      });
      res.end(text);
      const done = performance.now();
      latencies.push(done - started);
      last = Math.max(last, done);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    connectionString: `endpoint=http://127.0.0.1:${port}/;accesskey=${accessKey}`,
    stats: () => ({ answered: latencies.length, windowMs: last - first, latenciesMs: latencies }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export function latencySummary(values: readonly number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}
