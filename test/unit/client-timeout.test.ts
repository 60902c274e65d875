// Every request is bounded: the client against a local server (port 0) that accepts connections and never answers.
// Asserts what the caller sees (code, message, attempts counted by the server), never how long it took.

import { startSilentServer, type SilentServer } from "../e2e/harness/silentServer";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AzureKeyCredential } from "@azure/core-auth";
import { DEFAULT_TIMEOUT_MS, JobRouterClient, JobRouterError, MAX_TIMEOUT_RETRIES } from "../../provider/client";
import { clientFor } from "../../provider/engine";
import { TIMEOUT_CONFIG_KEY, TIMEOUT_ENV_VAR, resolveRequestTimeout } from "../../provider/requestTimeout";

const KEY = Buffer.from("timeout-test-access-key-0123456789").toString("base64");

let silent: SilentServer;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(async () => {
  await silent?.close();
});
let before = 0;
beforeEach(() => {
  before = silent.connections;
});

const attempts = (): number => silent.connections - before;

describe("request timeout (a server that accepts and never answers)", () => {
  it("fails with ETIMEDOUT naming the endpoint, the timeout and the fix, after a bounded number of attempts", async () => {
    const client = new JobRouterClient(silent.endpoint, new AzureKeyCredential(KEY), {
      timeoutInMs: 200,
      retryOptions: { maxRetries: 8, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
    });
    const err = await client.getQueue("q1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobRouterError);
    expect(err).toMatchObject({ code: "ETIMEDOUT", statusCode: undefined });
    const message = (err as Error).message;
    expect(message).toContain(
      `GET /routing/queues/q1 failed: no answer within 200 ms (the per-attempt timeout) from ${silent.endpoint}`,
    );
    expect(message).toContain(`(${MAX_TIMEOUT_RETRIES + 1} attempts over`);
    expect(message).toContain("raise the per-attempt timeout (the client option `timeoutInMs`)");
    expect(message).not.toContain(KEY);
    // 8 retries are allowed for throttling; timeouts stop after MAX_TIMEOUT_RETRIES of them.
    expect(attempts()).toBe(MAX_TIMEOUT_RETRIES + 1);
  });

  it("never retries more than maxRetries when that is lower", async () => {
    const client = new JobRouterClient(silent.endpoint, new AzureKeyCredential(KEY), {
      timeoutInMs: 100,
      retryOptions: { maxRetries: 0 },
    });
    const err = await client.getQueue("q1").catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "JobRouterError", code: "ETIMEDOUT" });
    expect(attempts()).toBe(1);
  });

  it("a per-call timeout overrides the client's; every kind of call is bounded (list, upsert, delete)", async () => {
    const client = new JobRouterClient(silent.endpoint, new AzureKeyCredential(KEY), {
      timeoutInMs: 60_000,
      retryOptions: { maxRetries: 0 },
    });
    const viaCall = await client.getQueue("q1", { timeoutInMs: 100 }).catch((e: unknown) => e);
    expect((viaCall as Error).message).toContain("no answer within 100 ms");

    const short = new JobRouterClient(silent.endpoint, new AzureKeyCredential(KEY), {
      timeoutInMs: 100,
      retryOptions: { maxRetries: 0 },
      timeoutHint: "the test's own setting",
    });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["GET /routing/queues", () => short.list("queues").byPage().next()],
      ["PATCH /routing/queues/q1", () => short.upsert("queues", "q1", { name: "x" })],
      ["DELETE /routing/queues/q1", () => short.delete("queues", "q1")],
    ];
    for (const [label, call] of calls) {
      const err = await call().catch((e: unknown) => e);
      expect(err, label).toMatchObject({ code: "ETIMEDOUT" });
      expect((err as Error).message, label).toContain(`${label} failed: no answer within 100 ms`);
      expect((err as Error).message, label).toContain("(the test's own setting)");
    }
  });

  it("the client's abortSignal ends a request in flight (AbortError), without retrying it", async () => {
    const controller = new AbortController();
    const client = new JobRouterClient(silent.endpoint, new AzureKeyCredential(KEY), {
      abortSignal: controller.signal,
      retryOptions: { maxRetries: 8 },
    });
    const pending = client.getQueue("q1").catch((e: unknown) => e);
    while (attempts() === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const err = await pending;
    expect((err as Error).name).toBe("AbortError");
    expect(attempts()).toBe(1);
  });

  it("defaults to 30 s; refuses a negative timeout", () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
    expect(() => new JobRouterClient(silent.endpoint, new AzureKeyCredential(KEY), { timeoutInMs: -1 })).toThrow(
      /timeoutInMs must be a number of milliseconds, 0 or more/,
    );
  });
});

describe("the providers' timeout (stack config, environment)", () => {
  const sources = (config: Record<string, string>, env: Record<string, string> = {}) => ({
    config: (k: string) => config[k],
    env: (k: string) => env[k],
  });

  it("comes from the stack config, else the environment, else the default", () => {
    expect(resolveRequestTimeout(sources({ [TIMEOUT_CONFIG_KEY]: "2.5" }, { [TIMEOUT_ENV_VAR]: "9" }))).toBe(2500);
    expect(resolveRequestTimeout(sources({}, { [TIMEOUT_ENV_VAR]: "9" }))).toBe(9000);
    expect(resolveRequestTimeout(sources({}))).toBe(DEFAULT_TIMEOUT_MS);
  });

  it("refuses a value that is not a number of seconds, naming the key and the rule", () => {
    for (const bad of ["abc", "0", "-3", "7200"]) {
      expect(() => resolveRequestTimeout(sources({ [TIMEOUT_CONFIG_KEY]: bad }))).toThrow(
        `jobrouter: the stack config \`${TIMEOUT_CONFIG_KEY}\` must be a number of seconds greater than 0 and at most 3600 (the per-attempt request timeout), got ${JSON.stringify(bad)}`,
      );
    }
    expect(() => resolveRequestTimeout(sources({}, { [TIMEOUT_ENV_VAR]: "x" }))).toThrow(
      `the environment variable ${TIMEOUT_ENV_VAR} must be`,
    );
  });

  it("reaches the provider's client: its error names the endpoint, the timeout and the config key", async () => {
    const client = clientFor(`endpoint=${silent.endpoint}/;accesskey=${KEY}`, sources({ [TIMEOUT_CONFIG_KEY]: "0.2" }));
    const err = await client.getQueue("q1").catch((e: unknown) => e);
    const message = (err as Error).message;
    expect(message).toContain(`no answer within 200 ms (the per-attempt timeout) from ${silent.endpoint}`);
    expect(message).toContain(`pulumi config set ${TIMEOUT_CONFIG_KEY} 60`);
    expect(attempts()).toBe(MAX_TIMEOUT_RETRIES + 1);
  });
});
