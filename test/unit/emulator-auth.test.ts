// Authentication: HMAC-SHA256 as the SDKs sign (facts §9.1), checked over real HTTP. The reference signer
// here is written independently of emulator/auth.ts (node:crypto), so a bug shared by both is unlikely;
// the SDK's own policy is exercised too.

import { createHash, createHmac } from "node:crypto";
import * as http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import type { EmulatorOptions, RunningEmulator } from "../../emulator";
import { SdkClient } from "../fixtures/emulator/harness";

const Q = "api-version=2023-11-01";

interface RawResult {
  status: number;
  body: string;
}

function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function signature(
  key: string,
  method: string,
  pathAndQuery: string,
  date: string,
  host: string,
  hash: string,
): string {
  return createHmac("sha256", Buffer.from(key, "base64"))
    .update(`${method}\n${pathAndQuery}\n${date};${host};${hash}`)
    .digest("base64");
}

function signedHeaders(opts: {
  key: string;
  method: string;
  pathAndQuery: string;
  host: string;
  body?: string;
  date?: Date;
  hostHeader?: string;
}): Record<string, string> {
  const date = (opts.date ?? new Date()).toUTCString();
  const hash = createHash("sha256")
    .update(opts.body ?? "")
    .digest("base64");
  return {
    host: opts.hostHeader ?? opts.host,
    "x-ms-date": date,
    "x-ms-content-sha256": hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature(opts.key, opts.method, opts.pathAndQuery, date, opts.host, hash)}`,
  };
}

describe("emulator authentication", () => {
  let emu: RunningEmulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });
  async function start(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    emu = await startEmulator(options);
    return emu;
  }

  it("accepts the SDK policy's signature and logs it as hmac", async () => {
    const e = await start();
    const r = await new SdkClient(e.endpoint, e.accessKey).send("GET", `/routing/queues?maxpagesize=20&${Q}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ value: [] });
    expect(e.requests.map((x) => x.auth)).toEqual(["hmac"]);
  });

  it("rejects a missing Authorization header with 401 in the gateway's error envelope", async () => {
    const e = await start();
    const r = await rawRequest(e.port, "GET", `/routing/queues?${Q}`, {});
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ error: { code: "Denied", message: "Authorization header is missing." } });
    expect(e.requests[0]).toMatchObject({ status: 401, auth: "none", path: "/routing/queues" });
  });

  it("rejects a signature made with another key", async () => {
    const e = await start();
    const wrong = Buffer.from("not the emulator key, 32 bytes!!").toString("base64");
    const r = await new SdkClient(e.endpoint, wrong).send("GET", `/routing/queues?${Q}`);
    expect(r.status).toBe(401);
    expect(r.body).toEqual({ error: { code: "Denied", message: "HMAC-SHA256 signature validation failed." } });
    expect(e.requests[0]?.auth).toBe("invalid");
  });

  it("rejects a signature made for another path (the path is signed)", async () => {
    const e = await start();
    const host = `127.0.0.1:${e.port}`;
    const headers = signedHeaders({ key: e.accessKey, method: "GET", pathAndQuery: `/routing/queues?${Q}`, host });
    expect((await rawRequest(e.port, "GET", `/routing/queues?${Q}`, headers)).status).toBe(200);
    expect((await rawRequest(e.port, "GET", `/routing/exceptionPolicies?${Q}`, headers)).status).toBe(401);
    expect((await rawRequest(e.port, "DELETE", `/routing/queues?${Q}`, headers)).status).toBe(401);
  });

  it("rejects stale or future x-ms-date beyond 15 minutes of skew, using the injected clock", async () => {
    let offsetMs = 0;
    const e = await start({ now: () => new Date(Date.now() + offsetMs) });
    const client = new SdkClient(e.endpoint, e.accessKey);
    offsetMs = 14 * 60 * 1000;
    expect((await client.send("GET", `/routing/queues?${Q}`)).status).toBe(200);
    offsetMs = 16 * 60 * 1000;
    const late = await client.send("GET", `/routing/queues?${Q}`);
    expect(late.status).toBe(401);
    expect(late.body).toEqual({
      error: { code: "Denied", message: "The x-ms-date header is outside the allowed clock skew of 15 minutes." },
    });
    offsetMs = -16 * 60 * 1000;
    expect((await client.send("GET", `/routing/queues?${Q}`)).status).toBe(401);
  });

  it("lets a far-off injected clock work with maxClockSkewMs", async () => {
    const fixed = new Date("2020-02-02T02:02:02Z");
    const strict = await start({ now: () => fixed });
    const refused = await new SdkClient(strict.endpoint, strict.accessKey).send("GET", `/routing/queues?${Q}`);
    expect(refused.body).toEqual({
      error: { code: "Denied", message: "The x-ms-date header is outside the allowed clock skew of 15 minutes." },
    });
    await strict.close();
    const lax = await start({ now: () => fixed, maxClockSkewMs: Infinity });
    const r = await new SdkClient(lax.endpoint, lax.accessKey).send("PATCH", `/routing/exceptionPolicies/e?${Q}`, {
      body: "{}",
    });
    expect(r.status).toBe(201);
    expect(r.headers["last-modified"]).toBe("Sun, 02 Feb 2020 02:02:02 GMT");
    await lax.close();
    const tight = await start({ now: () => new Date(Date.now() + 5000), maxClockSkewMs: 2000 });
    const t = await new SdkClient(tight.endpoint, tight.accessKey).send("GET", `/routing/queues?${Q}`);
    expect(t.body).toEqual({
      error: { code: "Denied", message: "The x-ms-date header is outside the allowed clock skew of 2000 ms." },
    });
  });

  it("rejects a body whose SHA-256 does not match x-ms-content-sha256", async () => {
    const e = await start();
    const host = `127.0.0.1:${e.port}`;
    const path = `/routing/distributionPolicies/d1?${Q}`;
    const signedBody = JSON.stringify({ name: "a", mode: { kind: "roundRobin" } });
    const headers = {
      ...signedHeaders({ key: e.accessKey, method: "PATCH", pathAndQuery: path, host, body: signedBody }),
      "content-type": "application/merge-patch+json",
    };
    const tampered = await rawRequest(e.port, "PATCH", path, headers, JSON.stringify({ name: "b" }));
    expect(tampered.status).toBe(401);
    expect(JSON.parse(tampered.body)).toEqual({
      error: { code: "Denied", message: "Request 'x-ms-content-sha256' differs from generated content hash." },
    });
    expect(e.store.get("distributionPolicies", "d1")).toBeUndefined();
    const ok = await rawRequest(e.port, "PATCH", path, headers, signedBody);
    expect(ok.status).toBe(201);
  });

  it("accepts the older JS signer's doubled host:port, in the signature and in the Host header", async () => {
    const e = await start();
    const path = `/routing/queues?${Q}`;
    const doubled = `127.0.0.1:${e.port}:${e.port}`;
    // Signed with the doubled host, sent with the normal Host header.
    const a = signedHeaders({
      key: e.accessKey,
      method: "GET",
      pathAndQuery: path,
      host: doubled,
      hostHeader: `127.0.0.1:${e.port}`,
    });
    expect((await rawRequest(e.port, "GET", path, a)).status).toBe(200);
    // Signed with the doubled host and sent with it as the Host header (what Node did with the old policy).
    const b = signedHeaders({ key: e.accessKey, method: "GET", pathAndQuery: path, host: doubled });
    expect((await rawRequest(e.port, "GET", path, b)).status).toBe(200);
    // Signed with the normal host but sent with a doubled Host header.
    const c = signedHeaders({
      key: e.accessKey,
      method: "GET",
      pathAndQuery: path,
      host: `127.0.0.1:${e.port}`,
      hostHeader: doubled,
    });
    expect((await rawRequest(e.port, "GET", path, c)).status).toBe(200);
    // A different port is not a variant of the same host.
    const d = signedHeaders({
      key: e.accessKey,
      method: "GET",
      pathAndQuery: path,
      host: `127.0.0.1:${e.port + 1}`,
      hostHeader: `127.0.0.1:${e.port}`,
    });
    expect((await rawRequest(e.port, "GET", path, d)).status).toBe(401);
  });

  it("accepts the query signed raw (Python) and re-encoded (JS URLSearchParams)", async () => {
    const e = await start();
    const host = `127.0.0.1:${e.port}`;
    const raw = `/routing/queues?maxpagesize=5&note=a:b c&${Q}`.replace(" ", "%20");
    const reencoded = `/routing/queues?${new URL(raw, "http://x").searchParams.toString()}`;
    expect(reencoded).not.toBe(raw);
    for (const signedAs of [raw, reencoded]) {
      const headers = signedHeaders({ key: e.accessKey, method: "GET", pathAndQuery: signedAs, host });
      expect((await rawRequest(e.port, "GET", raw, headers)).status).toBe(200);
    }
  });

  it("accepts a signature with the old always-appended '?' when the query is empty (then answers the missing api-version)", async () => {
    const e = await start();
    const host = `127.0.0.1:${e.port}`;
    const headers = signedHeaders({ key: e.accessKey, method: "GET", pathAndQuery: "/routing/queues?", host });
    const r = await rawRequest(e.port, "GET", "/routing/queues", headers);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ communicationError: { code: "ApiVersionUnspecified" } });
  });

  it("rejects an HMAC header with other signed headers", async () => {
    const e = await start();
    const host = `127.0.0.1:${e.port}`;
    const headers = signedHeaders({ key: e.accessKey, method: "GET", pathAndQuery: `/routing/queues?${Q}`, host });
    headers["authorization"] = (headers["authorization"] ?? "").replace(
      "x-ms-date;host;x-ms-content-sha256",
      "x-ms-date;host",
    );
    const r = await rawRequest(e.port, "GET", `/routing/queues?${Q}`, headers);
    expect(r.status).toBe(401);
  });

  it("refuses bearer tokens unless allowBearer, and then accepts them unverified", async () => {
    const strict = await start();
    const refused = await rawRequest(strict.port, "GET", `/routing/queues?${Q}`, {
      authorization: "Bearer eyJ0eXAi.fake.token",
    });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "Denied" } });
    await strict.close();
    const lax = await start({ allowBearer: true });
    const ok = await rawRequest(lax.port, "GET", `/routing/queues?${Q}`, {
      authorization: "Bearer eyJ0eXAi.fake.token",
    });
    expect(ok.status).toBe(200);
    expect(lax.requests[0]?.auth).toBe("bearer");
    const empty = await rawRequest(lax.port, "GET", `/routing/queues?${Q}`, { authorization: "Bearer " });
    expect(empty.status).toBe(401);
  });

  it("with bearerTokens, accepts only those tokens", async () => {
    const picky = await start({ allowBearer: true, bearerTokens: ["the-token"] });
    const other = await rawRequest(picky.port, "GET", `/routing/queues?${Q}`, { authorization: "Bearer other" });
    expect(other.status).toBe(401);
    expect(JSON.parse(other.body)).toMatchObject({
      error: { message: expect.stringContaining("not one this emulator was told to accept") },
    });
    const ok = await rawRequest(picky.port, "GET", `/routing/queues?${Q}`, { authorization: "Bearer the-token" });
    expect(ok.status).toBe(200);
    expect(picky.requests.map((r) => `${r.status} ${r.auth}`)).toEqual(["401 invalid", "200 bearer"]);
  });

  it("never writes the access key into the request log", async () => {
    const e = await start({ accessKey: Buffer.from("k".repeat(32)).toString("base64") });
    await new SdkClient(e.endpoint, e.accessKey).send("GET", `/routing/queues?${Q}`);
    await rawRequest(e.port, "GET", `/routing/queues?${Q}`, {});
    expect(e.connectionString).toBe(`endpoint=${e.endpoint};accesskey=${e.accessKey}`);
    expect(JSON.stringify(e.requests)).not.toContain(e.accessKey);
  });
});
