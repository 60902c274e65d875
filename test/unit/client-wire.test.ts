// The client's wire format, checked against a tiny local HTTP server (port 0) that records every request and
// answers canned JSON. This covers the runtime endpoints (jobs, workers, offers) whose emulator side comes
// later, and transport behaviour (signing, retries, nextLink, token auth) that needs exact control.

import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AzureKeyCredential, type AccessToken, type GetTokenOptions, type TokenCredential } from "@azure/core-auth";
import { API_VERSION, COMMUNICATION_SCOPE, JobRouterClient, JobRouterError } from "../../provider/client";

const KEY = Buffer.from("wire-test-access-key-0123456789abcdef").toString("base64");

interface Recorded {
  method: string;
  /** Raw request target as received (path and query). */
  url: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Canned {
  /** Never answer (the connection stays open until the server closes). */
  hang?: boolean;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
type Handler = (r: Recorded) => Canned;

interface Recorder {
  endpoint: string;
  requests: Recorded[];
  handle(h: Handler): void;
  close(): Promise<void>;
}

async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  let handler: Handler = () => ({ status: 200, body: {} });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://placeholder");
      const rec: Recorded = {
        method: req.method ?? "",
        url: req.url ?? "",
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(rec);
      const out = handler(rec);
      if (out.hang) return;
      const text = out.body === undefined ? "" : typeof out.body === "string" ? out.body : JSON.stringify(out.body);
      const headers: Record<string, string> = { ...(out.headers ?? {}) };
      if (text !== "" && headers["content-type"] === undefined)
        headers["content-type"] = "application/json; charset=utf-8";
      res.writeHead(out.status, headers);
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    handle: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Recomputes the HMAC signature as the service would (facts §9.1) and returns whether it matches. */
function signatureValid(r: Recorded, key: string): boolean {
  const auth = String(r.headers.authorization ?? "");
  const m = /^HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=(.+)$/.exec(auth);
  if (!m) return false;
  const contentHash = createHash("sha256").update(r.body, "utf8").digest("base64");
  if (r.headers["x-ms-content-sha256"] !== contentHash) return false;
  const u = new URL(r.url, "http://placeholder");
  const q = u.searchParams.toString();
  const pathAndQuery = q ? `${u.pathname}?${q}` : u.pathname;
  const toSign = `${r.method}\n${pathAndQuery}\n${String(r.headers["x-ms-date"])};${String(r.headers.host)};${contentHash}`;
  const expected = createHmac("sha256", Buffer.from(key, "base64")).update(toSign, "utf8").digest("base64");
  return m[1] === expected;
}

let srv: Recorder;
let client: JobRouterClient;

beforeAll(async () => {
  srv = await startRecorder();
  client = JobRouterClient.fromConnectionString(`endpoint=${srv.endpoint}/;accesskey=${KEY}`, {
    retryOptions: { maxRetries: 2, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
  });
});
afterAll(async () => {
  await srv.close();
});
afterEach(() => {
  srv.requests.length = 0;
  srv.handle(() => ({ status: 200, body: {} }));
});

function only(): Recorded {
  expect(srv.requests).toHaveLength(1);
  const r = srv.requests[0];
  if (!r) throw new Error("no request");
  return r;
}

describe("administration requests", () => {
  it("upsert sends a signed merge-patch PATCH and reports created/updated", async () => {
    const etag = '"0x1"';
    srv.handle(() => ({
      status: 201,
      headers: { etag, "last-modified": "Wed, 15 Nov 2023 00:05:10 GMT" },
      body: { id: "dp1", etag, name: "n", offerExpiresAfterSeconds: 60 },
    }));
    const res = await client.upsertDistributionPolicy("dp1", {
      name: "n",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 5, bypassSelectors: false },
    });
    const r = only();
    expect(r.method).toBe("PATCH");
    expect(r.path).toBe("/routing/distributionPolicies/dp1");
    expect(r.query).toEqual({ "api-version": API_VERSION });
    expect(r.headers["content-type"]).toBe("application/merge-patch+json");
    expect(r.headers.accept).toBe("application/json");
    expect(JSON.parse(r.body)).toEqual({
      name: "n",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 5, bypassSelectors: false },
    });
    expect(r.headers["x-ms-client-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(signatureValid(r, KEY)).toBe(true);
    expect(res).toEqual({
      value: { id: "dp1", etag, name: "n", offerExpiresAfterSeconds: 60 },
      etag,
      lastModified: "Wed, 15 Nov 2023 00:05:10 GMT",
      created: true,
    });

    srv.requests.length = 0;
    srv.handle(() => ({ status: 200, headers: { etag: '"0x2"' }, body: { id: "q1", etag: '"0x2"' } }));
    const upd = await client.upsert("queues", "q1", { labels: { tier: null }, name: null });
    expect(upd.created).toBe(false);
    expect(upd.etag).toBe('"0x2"');
    expect(only().body).toBe('{"labels":{"tier":null},"name":null}');
  });

  it("sends If-Match (quoting a bare ETag) and If-Unmodified-Since as an HTTP date", async () => {
    srv.handle(() => ({ status: 200, headers: { etag: '"b"' }, body: { id: "cp", etag: '"b"' } }));
    const when = new Date(Date.UTC(2023, 10, 15, 0, 5, 10));
    await client.upsertClassificationPolicy("cp", { name: "x" }, { ifMatch: "abc", ifUnmodifiedSince: when });
    await client.upsertExceptionPolicy("ep", { name: "x" }, { ifMatch: '"quoted"' });
    const [a, b] = srv.requests;
    expect(a?.headers["if-match"]).toBe('"abc"');
    expect(a?.headers["if-unmodified-since"]).toBe("Wed, 15 Nov 2023 00:05:10 GMT");
    expect(b?.headers["if-match"]).toBe('"quoted"');
    expect(b?.headers["if-unmodified-since"]).toBeUndefined();
  });

  it("get fills etag from the header when the body lacks it; tryGet maps 404 to undefined", async () => {
    srv.handle((r) =>
      r.path.endsWith("/missing")
        ? { status: 404, body: { communicationError: { code: "NotFound", message: "Not found" } } }
        : { status: 200, headers: { etag: '"h"' }, body: { id: "q1", name: "Q" } },
    );
    expect(await client.getQueue("q1")).toEqual({ id: "q1", name: "Q", etag: '"h"' });
    expect(await client.tryGet("queues", "missing")).toBeUndefined();
    await expect(client.get("exceptionPolicies", "missing")).rejects.toMatchObject({
      name: "JobRouterError",
      statusCode: 404,
      code: "NotFound",
    });
    expect(srv.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /routing/queues/q1",
      "GET /routing/queues/missing",
      "GET /routing/exceptionPolicies/missing",
    ]);
  });

  it("delete sends DELETE; ignoreNotFound turns 404 into false", async () => {
    srv.handle((r) => (r.path.endsWith("/gone") ? { status: 404 } : { status: 204 }));
    expect(await client.deleteClassificationPolicy("cp1")).toBe(true);
    expect(await client.delete("distributionPolicies", "gone", { ignoreNotFound: true })).toBe(false);
    await expect(client.deleteQueue("gone")).rejects.toMatchObject({ statusCode: 404 });
    expect(srv.requests.map((r) => `${r.method} ${r.path} ${r.body.length}`)).toEqual([
      "DELETE /routing/classificationPolicies/cp1 0",
      "DELETE /routing/distributionPolicies/gone 0",
      "DELETE /routing/queues/gone 0",
    ]);
  });

  it("lists across pages following relative and absolute nextLinks, keeping api-version", async () => {
    srv.handle((r) => {
      if (r.query.continuationToken === undefined) {
        return {
          status: 200,
          body: { value: [{ id: "a" }, { id: "b" }], nextLink: "/routing/queues?continuationToken=Kg%3D%3D" },
        };
      }
      if (r.query.continuationToken === "Kg==") {
        return {
          status: 200,
          body: {
            value: [{ id: "c" }],
            nextLink: `${srv.endpoint}/routing/queues?continuationToken=2&api-version=${API_VERSION}`,
          },
        };
      }
      return { status: 200, body: { value: [{ id: "d" }], nextLink: null } };
    });
    const ids: string[] = [];
    for await (const q of client.listQueues({ maxPageSize: 2 })) ids.push(q.id);
    expect(ids).toEqual(["a", "b", "c", "d"]);
    expect(srv.requests.map((r) => r.url)).toEqual([
      `/routing/queues?maxpagesize=2&api-version=${API_VERSION}`,
      `/routing/queues?continuationToken=Kg%3D%3D&api-version=${API_VERSION}`,
      `/routing/queues?continuationToken=2&api-version=${API_VERSION}`,
    ]);
    expect(srv.requests.every((r) => signatureValid(r, KEY))).toBe(true);
  });

  it("refuses a nextLink to another origin without sending anything there", async () => {
    const other = await startRecorder();
    try {
      srv.handle(() => ({
        status: 200,
        body: { value: [{ id: "a" }], nextLink: `${other.endpoint}/routing/queues?p=2` },
      }));
      const pages = client.list("queues").byPage();
      const first = await pages.next();
      expect(first.value).toMatchObject({ value: [{ id: "a" }] });
      await expect(pages.next()).rejects.toMatchObject({ name: "JobRouterError", code: "InvalidNextLink" });
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("gets queue statistics", async () => {
    srv.handle(() => ({ status: 200, body: { queueId: "q1", length: 3, estimatedWaitTimeMinutes: { "1": 2.5 } } }));
    expect(await client.getQueueStatistics("q1")).toEqual({
      queueId: "q1",
      length: 3,
      estimatedWaitTimeMinutes: { "1": 2.5 },
    });
    const r = only();
    expect(`${r.method} ${r.url}`).toBe(`GET /routing/queues/q1/statistics?api-version=${API_VERSION}`);
  });

  it("rejects bad arguments before sending anything", async () => {
    await expect(client.deleteJob("..")).rejects.toMatchObject({
      code: "InvalidArgument",
      message: 'jobId must not be "." or ".."',
    });
    await expect(client.getQueue("")).rejects.toMatchObject({
      code: "InvalidArgument",
      message: "id must be a non-empty string",
    });
    // A provider passing an unchecked string must get a rule, not a 404.
    await expect(client.get("queuez" as "queues", "x")).rejects.toMatchObject({ code: "InvalidArgument" });
    await expect(client.list("queues", { maxPageSize: 0 }).next()).rejects.toMatchObject({ code: "InvalidArgument" });
    expect(srv.requests).toHaveLength(0);
  });
});

describe("job requests", () => {
  it("upserts, gets, lists with filters and deletes jobs", async () => {
    srv.handle((r) => {
      if (r.method === "PATCH")
        return {
          status: 201,
          headers: { etag: '"00000000"' },
          body: { id: "j1", etag: '"00000000"', status: "pendingClassification" },
        };
      if (r.method === "DELETE") return { status: 204 };
      if (r.path === "/routing/jobs") return { status: 200, body: { value: [{ id: "j1", etag: '"1"' }] } };
      return { status: 200, body: { id: "j1", etag: '"2"', status: "queued" } };
    });
    const up = await client.upsertJob("j1", {
      channelId: "voice",
      queueId: "q1",
      priority: 1,
      labels: { lang: "en" },
      matchingMode: { kind: "scheduleAndSuspend", scheduleAt: "2030-01-01T00:00:00.000Z" },
    });
    expect(up).toMatchObject({ created: true, etag: '"00000000"', value: { status: "pendingClassification" } });
    expect(await client.getJob("j1")).toEqual({ id: "j1", etag: '"2"', status: "queued" });
    const listed = [];
    for await (const j of client.listJobs({
      status: "active",
      queueId: "q1",
      channelId: "voice",
      classificationPolicyId: "cp1",
      scheduledBefore: new Date(Date.UTC(2023, 10, 15, 0, 4, 32, 876)),
      scheduledAfter: "2023-11-01T00:00:00Z",
      maxPageSize: 20,
    }))
      listed.push(j.id);
    expect(listed).toEqual(["j1"]);
    expect(await client.deleteJob("j1")).toBe(true);

    const [p, g, l, d] = srv.requests;
    expect(p?.method).toBe("PATCH");
    expect(p?.url).toBe(`/routing/jobs/j1?api-version=${API_VERSION}`);
    expect(p?.headers["content-type"]).toBe("application/merge-patch+json");
    expect(JSON.parse(p?.body ?? "")).toEqual({
      channelId: "voice",
      queueId: "q1",
      priority: 1,
      labels: { lang: "en" },
      matchingMode: { kind: "scheduleAndSuspend", scheduleAt: "2030-01-01T00:00:00.000Z" },
    });
    expect(`${g?.method} ${g?.url}`).toBe(`GET /routing/jobs/j1?api-version=${API_VERSION}`);
    expect(l?.query).toEqual({
      status: "active",
      queueId: "q1",
      channelId: "voice",
      classificationPolicyId: "cp1",
      scheduledBefore: "2023-11-15T00:04:32.876Z",
      scheduledAfter: "2023-11-01T00:00:00Z",
      maxpagesize: "20",
      "api-version": API_VERSION,
    });
    expect(`${d?.method} ${d?.url}`).toBe(`DELETE /routing/jobs/j1?api-version=${API_VERSION}`);
    expect(srv.requests.every((r) => signatureValid(r, KEY))).toBe(true);
  });

  it("sends the action POSTs with the ':' syntax, bodies only when there is something to say", async () => {
    srv.handle((r) => {
      if (r.path.endsWith(":unassign")) return { status: 200, body: { jobId: "j 1/x", unassignmentCount: 1 } };
      return { status: 200, body: {} };
    });
    await client.cancelJob("j 1/x");
    await client.cancelJob("j 1/x", { note: "bye", dispositionCode: "Abandoned" });
    await client.completeJob("j 1/x", "a1", { note: "done" });
    await client.closeJob("j 1/x", "a1", { dispositionCode: "Resolved", closeAt: new Date(Date.UTC(2030, 0, 1)) });
    const un = await client.unassignJob("j 1/x", "a1", { suspendMatching: true });
    await client.reclassifyJob("j 1/x");

    const seen = srv.requests.map((r) => ({ m: r.method, u: r.url, ct: r.headers["content-type"], b: r.body }));
    const q = `?api-version=${API_VERSION}`;
    // The id is escaped as a path segment ('/' and ' ' encoded) while the action suffix stays literal.
    expect(seen).toEqual([
      { m: "POST", u: `/routing/jobs/j%201%2Fx:cancel${q}`, ct: undefined, b: "" },
      {
        m: "POST",
        u: `/routing/jobs/j%201%2Fx:cancel${q}`,
        ct: "application/json",
        b: '{"note":"bye","dispositionCode":"Abandoned"}',
      },
      {
        m: "POST",
        u: `/routing/jobs/j%201%2Fx/assignments/a1:complete${q}`,
        ct: "application/json",
        b: '{"note":"done"}',
      },
      {
        m: "POST",
        u: `/routing/jobs/j%201%2Fx/assignments/a1:close${q}`,
        ct: "application/json",
        b: '{"dispositionCode":"Resolved","closeAt":"2030-01-01T00:00:00.000Z"}',
      },
      {
        m: "POST",
        u: `/routing/jobs/j%201%2Fx/assignments/a1:unassign${q}`,
        ct: "application/json",
        b: '{"suspendMatching":true}',
      },
      { m: "POST", u: `/routing/jobs/j%201%2Fx:reclassify${q}`, ct: undefined, b: "" },
    ]);
    expect(un).toEqual({ jobId: "j 1/x", unassignmentCount: 1 });
    expect(srv.requests.every((r) => signatureValid(r, KEY))).toBe(true);
  });

  it("gets the queue position (the real service omits estimatedWaitTimeMinutes)", async () => {
    srv.handle(() => ({ status: 200, body: { jobId: "j1", position: 2, queueId: "q1", queueLength: 5 } }));
    expect(await client.getQueuePosition("j1")).toEqual({ jobId: "j1", position: 2, queueId: "q1", queueLength: 5 });
    expect(only().url).toBe(`/routing/jobs/j1/position?api-version=${API_VERSION}`);
  });
});

describe("worker and offer requests", () => {
  it("upserts, gets, lists with filters and deletes workers", async () => {
    srv.handle((r) => {
      if (r.method === "PATCH")
        return { status: 200, headers: { etag: '"7"' }, body: { id: "w1", etag: '"7"', state: "active" } };
      if (r.method === "DELETE") return { status: 204 };
      if (r.path === "/routing/workers")
        return {
          status: 200,
          body: {
            value: [
              { id: "w1", etag: '"8"' },
              { id: "w2", etag: '"1"' },
            ],
          },
        };
      return { status: 200, body: { id: "w1", etag: '"8"' } };
    });
    const up = await client.upsertWorker(
      "w1",
      {
        capacity: 10,
        queues: ["q1"],
        channels: [{ channelId: "voice", capacityCostPerJob: 10 }],
        availableForOffers: true,
        labels: { old: null },
      },
      { ifMatch: '"6"' },
    );
    expect(up).toMatchObject({ created: false, etag: '"7"' });
    expect((await client.getWorker("w1")).etag).toBe('"8"');
    const ids: string[] = [];
    for await (const w of client.listWorkers({
      state: "active",
      channelId: "voice",
      queueId: "q1",
      hasCapacity: true,
      maxPageSize: 5,
    }))
      ids.push(w.id);
    expect(ids).toEqual(["w1", "w2"]);
    expect(await client.deleteWorker("w1")).toBe(true);

    const [p, g, l, d] = srv.requests;
    expect(`${p?.method} ${p?.url}`).toBe(`PATCH /routing/workers/w1?api-version=${API_VERSION}`);
    expect(p?.headers["if-match"]).toBe('"6"');
    expect(p?.headers["content-type"]).toBe("application/merge-patch+json");
    expect(JSON.parse(p?.body ?? "")).toEqual({
      capacity: 10,
      queues: ["q1"],
      channels: [{ channelId: "voice", capacityCostPerJob: 10 }],
      availableForOffers: true,
      labels: { old: null },
    });
    expect(`${g?.method} ${g?.url}`).toBe(`GET /routing/workers/w1?api-version=${API_VERSION}`);
    expect(l?.url).toBe(
      `/routing/workers?state=active&channelId=voice&queueId=q1&hasCapacity=true&maxpagesize=5&api-version=${API_VERSION}`,
    );
    expect(`${d?.method} ${d?.url}`).toBe(`DELETE /routing/workers/w1?api-version=${API_VERSION}`);
  });

  it("accepts and declines offers", async () => {
    srv.handle((r) =>
      r.path.endsWith(":accept")
        ? { status: 200, body: { assignmentId: "a1", jobId: "j1", workerId: "w1" } }
        : { status: 200, body: {} },
    );
    expect(await client.acceptJobOffer("w1", "o1")).toEqual({ assignmentId: "a1", jobId: "j1", workerId: "w1" });
    await client.declineJobOffer("w1", "o2", { retryOfferAt: "2030-01-01T00:00:00Z" });
    await client.declineJobOffer("w1", "o3");
    const q = `?api-version=${API_VERSION}`;
    expect(srv.requests.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      `POST /routing/workers/w1/offers/o1:accept${q} `,
      `POST /routing/workers/w1/offers/o2:decline${q} {"retryOfferAt":"2030-01-01T00:00:00Z"}`,
      `POST /routing/workers/w1/offers/o3:decline${q} `,
    ]);
  });

  it("surfaces 409 on an offer already taken with the service's code", async () => {
    srv.handle(() => ({
      status: 409,
      body: {
        communicationError: {
          code: "Conflict",
          message: "Job already accepted",
          target: "/routing/workers/w1/offers/o1:accept",
        },
      },
    }));
    const err = await client.acceptJobOffer("w1", "o1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobRouterError);
    expect(err).toMatchObject({ statusCode: 409, code: "Conflict", target: "/routing/workers/w1/offers/o1:accept" });
    expect(srv.requests).toHaveLength(1); // 409 is not retried
  });
});

describe("transport", () => {
  it("retries 429 without Retry-After and 503 with Retry-After, re-signing each attempt", async () => {
    let n = 0;
    srv.handle(() => {
      n++;
      if (n === 1)
        return { status: 429, body: { communicationError: { code: "TooManyRequests", message: "slow down" } } };
      if (n === 2) return { status: 503, headers: { "retry-after": "0" } };
      return { status: 200, body: { id: "q1", etag: '"e"' } };
    });
    expect((await client.getQueue("q1")).id).toBe("q1");
    expect(srv.requests).toHaveLength(3);
    expect(srv.requests.every((r) => signatureValid(r, KEY))).toBe(true);
  });

  it("gives up after maxRetries and reports the last status", async () => {
    srv.handle(() => ({
      status: 429,
      headers: { "retry-after": "0" },
      body: { communicationError: { code: "TooManyRequests", message: "throttled" } },
    }));
    const err = await client.getQueue("q1").catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "JobRouterError", statusCode: 429, code: "TooManyRequests" });
    expect(String(err)).toMatch(/maxRetries/);
    expect(srv.requests).toHaveLength(3); // 1 + maxRetries (2)
  });

  it("does not retry 4xx other than 408/429", async () => {
    srv.handle(() => ({
      status: 400,
      body: { error: { code: "InvalidRequest", message: "bad kind", target: "mode.kind" } },
    }));
    const err = await client.upsertQueue("q1", { name: "x" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 400, code: "InvalidRequest", target: "mode.kind" });
    expect(srv.requests).toHaveLength(1);
  });

  it("keeps the key and the signature out of errors even when the server echoes them", async () => {
    srv.handle((r) => ({
      status: 401,
      body: {
        communicationError: {
          code: "Unauthorized",
          message: `rejected ${String(r.headers.authorization)} with key ${KEY}`,
        },
      },
    }));
    const err = await client.getQueue("q1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobRouterError);
    const sig = /Signature=(.+)$/.exec(String(srv.requests[0]?.headers.authorization))?.[1] ?? "missing";
    const surfaces = [
      String(err),
      JSON.stringify(err),
      (err as Error).stack ?? "",
      JSON.stringify(Object.getOwnPropertyNames(err)),
    ];
    for (const s of surfaces) {
      expect(s).not.toContain(KEY);
      expect(s).not.toContain(sig);
    }
    expect(String(err)).toContain("401 Unauthorized");
    expect(Object.keys(err as object).sort()).toEqual(["code", "details", "innerCode", "name", "statusCode", "target"]);
  });

  it("reports a connection failure as JobRouterError without a status", async () => {
    const dead = await startRecorder();
    const endpoint = dead.endpoint;
    await dead.close();
    const c = new JobRouterClient(endpoint, new AzureKeyCredential(KEY), {
      retryOptions: { maxRetries: 1, retryDelayInMs: 1 },
    });
    const err = await c.getQueue("q1").catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "JobRouterError", statusCode: undefined, code: "ECONNREFUSED" });
    expect(String(err)).not.toContain(KEY);
  });

  it("retries an attempt that timed out, and reports ETIMEDOUT (not AbortError) when all time out", async () => {
    let n = 0;
    srv.handle(() => (++n === 1 ? { hang: true, status: 0 } : { status: 200, body: { id: "q1", etag: '"e"' } }));
    expect((await client.getQueue("q1", { timeoutInMs: 2000 })).id).toBe("q1");
    expect(srv.requests).toHaveLength(2);

    srv.requests.length = 0;
    srv.handle(() => ({ hang: true, status: 0 }));
    const err = await client.getQueue("q1", { timeoutInMs: 50 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: "JobRouterError", code: "ETIMEDOUT", statusCode: undefined });
    expect(String(err)).toContain("no answer within 50 ms");
    expect(srv.requests).toHaveLength(3); // 1 + maxRetries (2)
  });

  it("an abort in flight rejects with AbortError and is not retried", async () => {
    srv.handle(() => ({ hang: true, status: 0 }));
    const ac = new AbortController();
    const pending = client.getQueue("q1", { abortSignal: ac.signal, timeoutInMs: 60_000 }).catch((e: unknown) => e);
    while (srv.requests.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    const err = await pending;
    expect((err as Error).name).toBe("AbortError");
    expect(srv.requests).toHaveLength(1);
  });

  it("rejects with AbortError when aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    const err = await client.getQueue("q1", { abortSignal: ac.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe("AbortError");
    expect(srv.requests).toHaveLength(0);
  });

  it("sends bearer tokens with the Communication scope, over http only when explicitly allowed", async () => {
    const scopesSeen: string[][] = [];
    const credential: TokenCredential = {
      getToken: async (scopes: string | string[], opts?: GetTokenOptions): Promise<AccessToken> => {
        expect(opts?.abortSignal === undefined || typeof opts.abortSignal.aborted === "boolean").toBe(true);
        scopesSeen.push(Array.isArray(scopes) ? scopes : [scopes]);
        return { token: "test-token-123", expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    expect(() => new JobRouterClient(srv.endpoint, credential)).toThrow(/only sent over https/);
    const c = new JobRouterClient(srv.endpoint, credential, { allowInsecureConnection: true });
    srv.handle(() => ({ status: 200, body: { id: "q1", etag: '"e"' } }));
    await c.getQueue("q1");
    expect(only().headers.authorization).toBe("Bearer test-token-123");
    expect(scopesSeen).toEqual([[COMMUNICATION_SCOPE]]);
    expect(COMMUNICATION_SCOPE).toBe("https://communication.azure.com//.default");
  });

  it("constructs cheaply and validates the endpoint and credential", () => {
    expect(() => new JobRouterClient("https://a.b/routing", new AzureKeyCredential(KEY))).toThrow(/empty path/);
    expect(() => new JobRouterClient("https://a.b", {} as AzureKeyCredential)).toThrow(/credential must be/);
    expect(() => new JobRouterClient("https://a.b", new AzureKeyCredential("not base64!"))).toThrow(/base64/);
    const c = new JobRouterClient("https://contoso.communication.azure.com/", new AzureKeyCredential(KEY));
    expect(c.endpoint).toBe("https://contoso.communication.azure.com");
    // Nothing secret is reachable through enumeration or JSON.
    expect(JSON.stringify(c)).not.toContain(KEY);
    expect(Object.keys(c)).toEqual([]);
  });
});
