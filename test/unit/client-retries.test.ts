// Which failures the client retries and what it says about them: an unreachable endpoint fails at its first
// attempt and names the endpoint; 503 and 429 keep their retries, reported as they start and counted in the
// final error. Real HTTP on port 0; no timed assertions (attempts are counted, not measured).

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureKeyCredential } from "@azure/core-auth";
import { JobRouterClient, JobRouterError, type RetryEvent } from "../../provider/client";

const KEY = Buffer.alloc(32, 7).toString("base64");

let server: Server;
let endpoint: string;
let answers: number[] = [];
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const status = answers[hits] ?? 200;
      hits += 1;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(
        JSON.stringify(status === 200 ? { id: "q1", etag: '"e"' } : { error: { code: "Busy", message: "busy" } }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function closedEndpoint(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return url;
}

describe("retries", () => {
  it("a refused connection fails at the first attempt, naming the endpoint, even with 8 retries allowed", async () => {
    const dead = await closedEndpoint();
    const retries: RetryEvent[] = [];
    const c = new JobRouterClient(dead, new AzureKeyCredential(KEY), {
      retryOptions: { maxRetries: 8, retryDelayInMs: 1000 },
      onRetry: (e) => retries.push(e),
    });
    const err = await c.getQueue("q1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobRouterError);
    expect(err).toMatchObject({ code: "ECONNREFUSED", statusCode: undefined });
    expect(String((err as Error).message)).toContain(
      `GET /routing/queues/q1 failed: cannot reach ${dead}: connection refused: nothing is listening at that address and port`,
    );
    expect(String((err as Error).message)).toContain("not retried");
    expect(retries).toEqual([]);
  });

  it("an unknown host fails at once too", async () => {
    const c = new JobRouterClient("http://no-such-host.invalid", new AzureKeyCredential(KEY), {
      retryOptions: { maxRetries: 8, retryDelayInMs: 1000 },
    });
    const err = await c.getQueue("q1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobRouterError);
    expect(["ENOTFOUND", "EAI_AGAIN"]).toContain((err as JobRouterError).code);
    expect((err as Error).message).toContain("cannot reach http://no-such-host.invalid");
  });

  it("503 is still retried; each retry is reported as it starts and the final error counts the attempts", async () => {
    answers = [503, 503, 503];
    hits = 0;
    const retries: RetryEvent[] = [];
    const c = new JobRouterClient(endpoint, new AzureKeyCredential(KEY), {
      retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 2 },
      onRetry: (e) => retries.push(e),
    });
    const err = await c.getQueue("q1").catch((e: unknown) => e);
    expect(hits).toBe(3);
    expect(retries.map((r) => [r.method, r.path, r.attempt, r.reason])).toEqual([
      ["GET", "/routing/queues/q1", 2, "503"],
      ["GET", "/routing/queues/q1", 3, "503"],
    ]);
    expect((err as JobRouterError).statusCode).toBe(503);
    expect((err as Error).message).toContain("3 attempts were made");
  });

  it("429 without Retry-After is retried until it succeeds", async () => {
    answers = [429, 200];
    hits = 0;
    const retries: RetryEvent[] = [];
    const c = new JobRouterClient(endpoint, new AzureKeyCredential(KEY), {
      retryOptions: { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 2 },
      onRetry: (e) => retries.push(e),
    });
    expect((await c.getQueue("q1")).id).toBe("q1");
    expect(retries.map((r) => r.reason)).toEqual(["429"]);
  });
});
