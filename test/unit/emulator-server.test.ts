// The in-process API and the HTTP layer: response headers as the service sends them, the request log
// (secrets redacted, bounded, clearable), content types, listen address, runtime pass-through, close.

import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import type { EmulatorOptions, RunningEmulator } from "../../emulator";
import { parseArgs } from "../../emulator/cli";
import { createErrorFactory } from "../../emulator/errors";
import { FaultInjector } from "../../emulator/faults";
import { ManualClock } from "../../routing/clock";
import { createHttpServer, listen } from "../../emulator/server";
import type { RequestLogEntry } from "../../emulator/server";
import { SdkClient } from "../fixtures/emulator/harness";

const Q = "api-version=2023-11-01";

describe("startEmulator and the HTTP layer", () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });
  async function start(options: EmulatorOptions = {}): Promise<{ e: RunningEmulator; c: SdkClient }> {
    emu = await startEmulator(options);
    return { e: emu, c: new SdkClient(emu.endpoint, emu.accessKey) };
  }

  it("returns endpoint, port, key and a connection string the SDK's parser accepts", async () => {
    const { e } = await start();
    expect(e.endpoint).toBe(`http://127.0.0.1:${e.port}/`);
    expect(e.connectionString).toBe(`endpoint=http://127.0.0.1:${e.port}/;accesskey=${e.accessKey}`);
    expect(Buffer.from(e.accessKey, "base64")).toHaveLength(32);
    // The JS SDK parses with /endpoint=(.*);accesskey=(.*)/i (facts §9.2).
    const m = /endpoint=(.*);accesskey=(.*)/i.exec(e.connectionString);
    expect(m?.[1]).toBe(e.endpoint);
    expect(m?.[2]).toBe(e.accessKey);
  });

  it("advertises 127.0.0.1 in the endpoint when listening on all interfaces", async () => {
    const { e, c } = await start({ host: "0.0.0.0" });
    expect(e.endpoint).toBe(`http://127.0.0.1:${e.port}/`);
    expect((await c.send("GET", `/routing/queues?${Q}`)).status).toBe(200);
  });

  it("sends the service's headers: api-supported-versions and trace-id everywhere, ETag only on objects, no Location or x-ms-error-code", async () => {
    const { c } = await start();
    const created = await c.send("PATCH", `/routing/exceptionPolicies/e?${Q}`, {
      body: "{}",
      headers: { "x-ms-client-request-id": "abc" },
    });
    expect(created.status).toBe(201);
    expect(created.headers["api-supported-versions"]).toBe(
      "2021-04-07-preview1, 2022-07-18-preview, 2023-08-25-preview, 2023-11-01",
    );
    expect(created.headers["trace-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.headers["location"]).toBeUndefined();
    expect(created.headers["x-ms-client-request-id"]).toBeUndefined();
    expect(created.headers["etag"]).toBe((created.body as { etag: string }).etag);
    const deleted = await c.send("DELETE", `/routing/exceptionPolicies/e?${Q}`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers["content-type"]).toBeUndefined();
    expect(deleted.headers["etag"]).toBeUndefined();
    const missing = await c.send("GET", `/routing/exceptionPolicies/e?${Q}`);
    expect(missing.headers["x-ms-error-code"]).toBeUndefined();
    expect(missing.headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("refuses content types other than JSON merge patch / JSON with 415; accepts both", async () => {
    const { c } = await start();
    const xml = await c.send("PATCH", `/routing/exceptionPolicies/e?${Q}`, {
      body: "{}",
      headers: { "content-type": "application/xml" },
    });
    expect(xml.status).toBe(415);
    expect(xml.body).toMatchObject({
      communicationError: { code: "UnsupportedMediaType", target: "/routing/exceptionPolicies/e" },
    });
    expect(
      (
        await c.send("PATCH", `/routing/exceptionPolicies/e?${Q}`, {
          body: "{}",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await c.send("PATCH", `/routing/exceptionPolicies/e?${Q}`, {
          body: "{}",
          headers: { "content-type": "application/merge-patch+json; charset=utf-8" },
        })
      ).status,
    ).toBe(200);
  });

  it("logs every request with its query and body, redacts secrets, and clears on demand", async () => {
    const { e, c } = await start();
    const body = {
      prioritizationRule: {
        kind: "function",
        functionUri: "https://f.example/api/p?code=fu-SECRET&x=1",
        credential: { functionKey: "fk-SECRET", appKey: "ak-SECRET", clientId: "cid" },
      },
      workerSelectorAttachments: [
        {
          kind: "ruleEngine",
          rule: {
            kind: "webhook",
            webhookUri: "https://w.example",
            clientCredential: { clientId: "x", clientSecret: "cs-SECRET" },
          },
        },
      ],
    };
    expect(
      (await c.send("PATCH", `/routing/classificationPolicies/cp?${Q}`, { body: JSON.stringify(body) })).status,
    ).toBe(201);
    await c.send("GET", `/routing/classificationPolicies?maxpagesize=3&${Q}`);
    expect(e.requests).toHaveLength(2);
    const [patch, list] = e.requests;
    expect(patch).toMatchObject({
      method: "PATCH",
      path: "/routing/classificationPolicies/cp",
      status: 201,
      auth: "hmac",
    });
    expect(patch?.query).toEqual({ "api-version": "2023-11-01" });
    expect(JSON.stringify(patch?.body)).not.toContain("SECRET");
    expect(patch?.body).toMatchObject({
      prioritizationRule: { credential: { functionKey: "***", appKey: "***", clientId: "cid" } },
    });
    expect(patch?.body).toMatchObject({ prioritizationRule: { functionUri: "https://f.example/api/p?code=***&x=1" } });
    expect(list?.query).toEqual({ maxpagesize: "3", "api-version": "2023-11-01" });
    expect(Number.isNaN(Date.parse(list?.at ?? ""))).toBe(false);
    const same = e.requests;
    e.clearRequests();
    expect(e.requests).toHaveLength(0);
    expect(same).toBe(e.requests);
  });

  it("calls onRequest with every entry as it is logged", async () => {
    const seen: string[] = [];
    const { e, c } = await start({ onRequest: (entry) => seen.push(`${entry.method} ${entry.path} ${entry.status}`) });
    await c.send("GET", `/routing/queues/q?${Q}`);
    await c.send("GET", `/routing/queues?${Q}`);
    expect(seen).toEqual(["GET /routing/queues/q 404", "GET /routing/queues 200"]);
    expect(e.requests).toHaveLength(2);
  });

  it("keeps only the newest maxLogEntries entries", async () => {
    const { e, c } = await start({ maxLogEntries: 3 });
    for (let i = 0; i < 5; i++) await c.send("GET", `/routing/queues/q${i}?${Q}`);
    expect(e.requests.map((r) => r.path)).toEqual(["/routing/queues/q2", "/routing/queues/q3", "/routing/queues/q4"]);
  });

  it("passes runtime options through and exposes the runtime", async () => {
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    const { e } = await start({ runtime: { clock } });
    expect(e.runtime.clock).toBe(clock);
    expect(parseArgs(["--event-webhook", "http://127.0.0.1:9/hook", "--event-webhook=https://h.example/x"])).toEqual({
      runtime: { eventWebhooks: ["http://127.0.0.1:9/hook", "https://h.example/x"] },
    });
    expect(() => parseArgs(["--event-webhook", "ftp://x"])).toThrow(
      '--event-webhook: must be an absolute http or https URL (got "ftp://x")',
    );
  });

  it("closes idempotently and with keep-alive connections open", async () => {
    const { e, c } = await start();
    expect((await c.send("GET", `/routing/queues?${Q}`)).status).toBe(200);
    await Promise.all([e.close(), e.close()]);
    await expect(c.send("GET", `/routing/queues?${Q}`)).rejects.toThrow();
    emu = undefined;
  });

  it("rejects invalid fault options at start", async () => {
    await expect(startEmulator({ faults: { dropRate: 1.5 } })).rejects.toThrow(
      "faults.dropRate: must be within 0..1 (got 1.5)",
    );
  });
});

describe("handler failures", () => {
  it("answers 500 in the service envelope, logs it, and keeps serving", async () => {
    const accessKey = Buffer.from("handler-failure-key-0123456789ab").toString("base64");
    const log: RequestLogEntry[] = [];
    let calls = 0;
    const server = createHttpServer({
      accessKey,
      allowBearer: false,
      now: () => new Date(),
      errors: createErrorFactory(),
      faults: new FaultInjector(undefined),
      handlers: [
        {
          handle: async () => {
            calls += 1;
            if (calls === 1) throw new Error("boom");
            return { status: 200, body: { ok: true } };
          },
        },
      ],
      log,
      maxLogEntries: 10,
    });
    const address = await listen(server, 0, "127.0.0.1");
    try {
      const c = new SdkClient(`http://127.0.0.1:${address.port}/`, accessKey);
      const failed = await c.send("GET", `/routing/queues?${Q}`);
      expect(failed.status).toBe(500);
      expect(failed.body).toEqual({
        communicationError: { code: "InternalServerError", message: "boom", target: "/routing/queues" },
      });
      expect((await c.send("GET", `/routing/queues?${Q}`)).status).toBe(200);
      expect(log.map((l) => l.status)).toEqual([500, 200]);
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  });
});
