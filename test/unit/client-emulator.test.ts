// The client against the real emulator (HTTP on port 0): every administration endpoint, conditional
// requests, merge-patch removal, paging, referential refusals, error shapes, authentication failures and
// retries through the emulator's fault injection.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AzureKeyCredential } from "@azure/core-auth";
import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";
import { startEmulator, type RunningEmulator } from "../../emulator";
import {
  JobRouterClient,
  JobRouterError,
  type ClassificationPolicyInput,
  type ExceptionPolicyInput,
} from "../../provider/client";

const FAST = { retryOptions: { maxRetries: 3, retryDelayInMs: 1, maxRetryDelayInMs: 5 } };

async function caught(p: Promise<unknown>): Promise<JobRouterError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof JobRouterError)) throw new Error(`expected a JobRouterError, got ${String(e)}`);
  return e;
}

/** Every place an error could leak a secret when logged or serialised. */
function surfaces(e: Error): string {
  return [String(e), JSON.stringify(e), e.stack ?? "", e.message].join("\n");
}

let emu: RunningEmulator;
let client: JobRouterClient;

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
  client = JobRouterClient.fromConnectionString(emu.connectionString, FAST);
});
afterAll(async () => {
  await emu.close();
});

describe("administration round trips", () => {
  it("distribution policies: create 201, update 200, get, list, delete", async () => {
    const created = await client.upsertDistributionPolicy("dp-rt", {
      name: "Round trip",
      offerExpiresAfterSeconds: 60,
      mode: { kind: "longestIdle", minConcurrentOffers: 1, maxConcurrentOffers: 5, bypassSelectors: false },
    });
    expect(created.created).toBe(true);
    expect(created.etag).toMatch(/^".+"$/);
    expect(created.value).toMatchObject({ id: "dp-rt", name: "Round trip", mode: { kind: "longestIdle" } });
    expect(created.lastModified).toMatch(/GMT$/);

    const updated = await client.upsertDistributionPolicy("dp-rt", {
      mode: { kind: "bestWorker", scoringRule: { kind: "expression", language: "powerFx", expression: "1" } },
    });
    expect(updated.created).toBe(false);
    expect(updated.value.mode?.kind).toBe("bestWorker");

    const got = await client.getDistributionPolicy("dp-rt");
    expect(got.etag).toBe(updated.etag);
    expect(got.name).toBe("Round trip");

    const ids: string[] = [];
    for await (const p of client.listDistributionPolicies()) ids.push(p.id);
    expect(ids).toContain("dp-rt");

    expect(await client.deleteDistributionPolicy("dp-rt")).toBe(true);
    expect(await client.tryGet("distributionPolicies", "dp-rt")).toBeUndefined();
  });

  it("queues: labels, statistics and the server's Id label", async () => {
    await client.upsertDistributionPolicy("dp-q", { offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } });
    const q = await client.upsertQueue("q-rt", {
      name: "Sales",
      distributionPolicyId: "dp-q",
      labels: { region: "eu", tier: 1 },
    });
    expect(q.created).toBe(true);
    expect(q.value.labels).toMatchObject({ region: "eu", tier: 1 });
    expect((await client.getQueue("q-rt")).distributionPolicyId).toBe("dp-q");
    const stats = await client.getQueueStatistics("q-rt");
    expect(stats).toMatchObject({ queueId: "q-rt", length: 0 });
    const found = [];
    for await (const x of client.listQueues()) if (x.id === "q-rt") found.push(x);
    expect(found).toHaveLength(1);
    expect(await client.deleteQueue("q-rt")).toBe(true);
    expect(await client.deleteDistributionPolicy("dp-q")).toBe(true);
  });

  it("classification policies: attachments and prioritisation rule survive the round trip", async () => {
    await client.upsertDistributionPolicy("dp-c", { offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } });
    await client.upsertQueue("q-c", { distributionPolicyId: "dp-c" });
    const input: ClassificationPolicyInput = {
      name: "Classify",
      fallbackQueueId: "q-c",
      prioritizationRule: { kind: "static", value: 5 },
      queueSelectorAttachments: [
        { kind: "static", queueSelector: { key: "Id", labelOperator: "equal", value: "q-c" } },
        { kind: "passThrough", key: "region", labelOperator: "equal" },
      ],
      workerSelectorAttachments: [
        {
          kind: "conditional",
          condition: { kind: "expression", language: "powerFx", expression: 'If(job.lang = "en", true, false)' },
          workerSelectors: [{ key: "english", labelOperator: "equal", value: true, expiresAfterSeconds: 30 }],
        },
      ],
    };
    const res = await client.upsertClassificationPolicy("cp-rt", input);
    expect(res.created).toBe(true);
    const got = await client.getClassificationPolicy("cp-rt");
    expect(got).toMatchObject(input);
    const ids: string[] = [];
    for await (const p of client.listClassificationPolicies({ maxPageSize: 1 })) ids.push(p.id);
    expect(ids).toContain("cp-rt");
    expect(await client.deleteClassificationPolicy("cp-rt")).toBe(true);
    expect(await client.deleteQueue("q-c")).toBe(true);
    expect(await client.deleteDistributionPolicy("dp-c")).toBe(true);
  });

  it("exception policies: the server fills action ids", async () => {
    const input: ExceptionPolicyInput = {
      name: "Escalate",
      exceptionRules: [
        {
          id: "long-wait",
          trigger: { kind: "waitTime", thresholdSeconds: 300 },
          actions: [
            { kind: "manualReclassify", queueId: "q-x", priority: 10 },
            { kind: "cancel", id: "stop", note: "too long" },
          ],
        },
      ],
    };
    const res = await client.upsertExceptionPolicy("ep-rt", input);
    expect(res.created).toBe(true);
    const actions = res.value.exceptionRules?.[0]?.actions ?? [];
    expect(actions).toHaveLength(2);
    expect(actions.every((a) => typeof a.id === "string" && a.id.length > 0)).toBe(true);
    expect(actions[1]?.id).toBe("stop");
    const ids: string[] = [];
    for await (const p of client.listExceptionPolicies()) ids.push(p.id);
    expect(ids).toContain("ep-rt");
    expect((await client.getExceptionPolicy("ep-rt")).name).toBe("Escalate");
    expect(await client.deleteExceptionPolicy("ep-rt")).toBe(true);
  });

  it("merge-patch: a null label entry removes that label only, a null field removes the field", async () => {
    await client.upsertDistributionPolicy("dp-m", { offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } });
    await client.upsertQueue("q-m", {
      name: "Merge",
      distributionPolicyId: "dp-m",
      labels: { keep: "yes", drop: "me" },
    });
    const res = await client.upsertQueue("q-m", { labels: { drop: null }, name: null });
    expect(res.value.labels).toMatchObject({ keep: "yes" });
    expect(res.value.labels).not.toHaveProperty("drop");
    expect(res.value).not.toHaveProperty("name");
    const got = await client.getQueue("q-m");
    expect(got.labels).not.toHaveProperty("drop");
    expect(got.labels?.keep).toBe("yes");
    // What went over the wire was the merge patch itself.
    const patch = emu.requests.filter((r) => r.method === "PATCH" && r.path === "/routing/queues/q-m").at(-1);
    expect(patch?.body).toEqual({ labels: { drop: null }, name: null });
    await client.deleteQueue("q-m");
    await client.deleteDistributionPolicy("dp-m");
  });
});

describe("paging", () => {
  it("walks several pages with maxpagesize and nextLink", async () => {
    const fresh = await startEmulator({ port: 0 });
    try {
      const c = JobRouterClient.fromConnectionString(fresh.connectionString, FAST);
      for (let i = 0; i < 7; i++) {
        await c.upsertExceptionPolicy(`ep-${i}`, { name: `n${i}` });
      }
      fresh.clearRequests();
      const sizes: number[] = [];
      const ids: string[] = [];
      for await (const page of c.listExceptionPolicies().byPage({ maxPageSize: 3 })) {
        sizes.push(page.value.length);
        ids.push(...page.value.map((p) => p.id));
      }
      expect(sizes).toEqual([3, 3, 1]);
      expect(ids.sort()).toEqual(["ep-0", "ep-1", "ep-2", "ep-3", "ep-4", "ep-5", "ep-6"]);
      const lists = fresh.requests.filter((r) => r.method === "GET" && r.path === "/routing/exceptionPolicies");
      expect(lists).toHaveLength(3);
      expect(lists[0]?.query).toEqual({ maxpagesize: "3", "api-version": "2023-11-01" });
      expect(lists[1]?.query.continuationToken).toBeDefined();
      expect(lists.every((r) => r.status === 200 && r.query["api-version"] === "2023-11-01")).toBe(true);

      // Item iteration crosses the same pages.
      const all: string[] = [];
      for await (const p of c.listExceptionPolicies({ maxPageSize: 2 })) all.push(p.id);
      expect(all).toHaveLength(7);
    } finally {
      await fresh.close();
    }
  });
});

describe("conditional requests", () => {
  it("If-Match with the current ETag writes; a stale one gets 412 with a helpful message", async () => {
    const first = await client.upsertDistributionPolicy("dp-etag", {
      offerExpiresAfterSeconds: 10,
      mode: { kind: "roundRobin" },
    });
    const second = await client.upsertDistributionPolicy(
      "dp-etag",
      { offerExpiresAfterSeconds: 20 },
      { ifMatch: first.etag },
    );
    expect(second.value.offerExpiresAfterSeconds).toBe(20);
    expect(second.etag).not.toBe(first.etag);

    const err = await caught(
      client.upsertDistributionPolicy("dp-etag", { offerExpiresAfterSeconds: 30 }, { ifMatch: first.etag }),
    );
    expect(err.statusCode).toBe(412);
    expect(err.code).toBe("PreconditionFailed");
    expect(err.target).toBe("/routing/distributionPolicies/dp-etag");
    expect(err.message).toContain("PATCH /routing/distributionPolicies/dp-etag failed with 412 PreconditionFailed");
    expect(err.message).toMatch(/read it again to get the current ETag/);
    expect((await client.getDistributionPolicy("dp-etag")).offerExpiresAfterSeconds).toBe(20);

    // If-Match on a missing object cannot hold either.
    expect((await caught(client.upsertQueue("q-none", { name: "x" }, { ifMatch: '"anything"' }))).statusCode).toBe(412);
    await client.deleteDistributionPolicy("dp-etag");
  });

  it("If-Unmodified-Since: a time before the last write gets 412, a later one writes", async () => {
    const res = await client.upsertExceptionPolicy("ep-ius", { name: "a" });
    const last = Date.parse(res.lastModified ?? "");
    expect(Number.isNaN(last)).toBe(false);
    const before = new Date(last - 60_000);
    const err = await caught(client.upsertExceptionPolicy("ep-ius", { name: "b" }, { ifUnmodifiedSince: before }));
    expect(err.statusCode).toBe(412);
    const after = new Date(last + 60_000);
    const ok = await client.upsertExceptionPolicy("ep-ius", { name: "c" }, { ifUnmodifiedSince: after });
    expect(ok.value.name).toBe("c");
    await client.deleteExceptionPolicy("ep-ius");
  });
});

describe("referential refusals and error shapes", () => {
  beforeAll(async () => {
    await client.upsertDistributionPolicy("dp-ref", { offerExpiresAfterSeconds: 30, mode: { kind: "roundRobin" } });
    await client.upsertExceptionPolicy("ep-ref", { name: "e" });
    await client.upsertQueue("q-ref", { distributionPolicyId: "dp-ref", exceptionPolicyId: "ep-ref" });
    await client.upsertClassificationPolicy("cp-ref", { fallbackQueueId: "q-ref" });
  });

  it("deleting a distribution policy a queue uses: 400 with QueueExistsWithDistributionPolicy", async () => {
    const err = await caught(client.deleteDistributionPolicy("dp-ref"));
    expect(err).toMatchObject({ name: "JobRouterError", statusCode: 400, code: "BadRequest" });
    expect(err.details.map((d) => d.code)).toEqual(["QueueExistsWithDistributionPolicy"]);
    expect(err.message).toContain("There is a queue with this distribution policy");
  });

  it("deleting an exception policy a queue uses: 400 with QueueExistsWithExceptionPolicy", async () => {
    const err = await caught(client.delete("exceptionPolicies", "ep-ref"));
    expect(err.statusCode).toBe(400);
    expect(err.allCodes()).toContain("QueueExistsWithExceptionPolicy");
  });

  it("deleting a fallback queue: 409 Conflict with the reason in the message", async () => {
    const err = await caught(client.deleteQueue("q-ref"));
    expect(err).toMatchObject({ statusCode: 409, code: "Conflict" });
    expect(err.message).toContain("There is classification policy with this queue as fallback queue");
  });

  it("creating a queue on a missing distribution policy is refused", async () => {
    const err = await caught(client.upsertQueue("q-orphan", { distributionPolicyId: "dp-missing" }));
    expect(err.statusCode).toBe(400);
    expect(err.allCodes()).toContain("DistributionPolicyNotFound");
    expect(await client.tryGet("queues", "q-orphan")).toBeUndefined();
  });

  it("after the dependents go, everything deletes (dependency order)", async () => {
    expect(await client.deleteClassificationPolicy("cp-ref")).toBe(true);
    expect(await client.deleteQueue("q-ref")).toBe(true);
    expect(await client.deleteDistributionPolicy("dp-ref")).toBe(true);
    expect(await client.deleteExceptionPolicy("ep-ref")).toBe(true);
  });

  it("404 on a missing object carries status, code and target", async () => {
    const err = await caught(client.getClassificationPolicy("nope"));
    expect(err).toMatchObject({ statusCode: 404, target: "/routing/classificationPolicies/nope" });
    expect(err.code).toBeTruthy();
    expect(err.message).toMatch(/^GET \/routing\/classificationPolicies\/nope failed with 404/);
  });

  it("a field-rule violation is a 400 whose details name the field", async () => {
    const err = await caught(
      client.upsertDistributionPolicy("dp-bad", {
        offerExpiresAfterSeconds: 30,
        mode: { kind: "roundRobin", minConcurrentOffers: 5, maxConcurrentOffers: 1 },
      }),
    );
    expect(err.statusCode).toBe(400);
    expect(err.details.length).toBeGreaterThan(0);
    expect(err.details.some((d) => (d.target ?? "").startsWith("mode"))).toBe(true);
    expect(err.message).toContain("details:");
  });
});

describe("authentication failures", () => {
  it("a wrong key gets 401; the error holds neither key nor signature", async () => {
    const wrongKey = Buffer.from("this-is-not-the-emulator-key-0123456789").toString("base64");
    const bad = new JobRouterClient(emu.endpoint, new AzureKeyCredential(wrongKey), FAST);
    emu.clearRequests();
    const err = await caught(bad.getQueue("anything"));
    expect(err.statusCode).toBe(401);
    // The emulator answers 401 in the spec's `error` envelope (a gateway answer), not communicationError.
    expect(err.code).toBe("Denied");
    expect(err.message).toMatch(/access key/);
    expect(emu.requests).toHaveLength(1); // 401 is not retried
    for (const s of [wrongKey, emu.accessKey]) expect(surfaces(err)).not.toContain(s);
    expect(surfaces(err)).not.toMatch(/Signature=[A-Za-z0-9+/]{20,}/);
  });

  it("a request altered after signing (bad signature) gets 401", async () => {
    const inner = createDefaultHttpClient();
    // Stands in for a proxy that rewrites the body after the client signed it.
    const tamper: HttpClient = {
      sendRequest: (req) => {
        if (typeof req.body === "string") req.body = req.body.replace('"a"', '"b"');
        return inner.sendRequest(req);
      },
    };
    const c = JobRouterClient.fromConnectionString(emu.connectionString, { ...FAST, httpClient: tamper });
    const err = await caught(c.upsertExceptionPolicy("ep-tamper", { name: "a" }));
    expect(err.statusCode).toBe(401);
    expect(surfaces(err)).not.toContain(emu.accessKey);
    expect(await client.tryGet("exceptionPolicies", "ep-tamper")).toBeUndefined();
  });

  it("a stale signature (x-ms-date far from the server clock) gets 401", async () => {
    const skewed = await startEmulator({ port: 0, now: () => new Date(Date.now() + 2 * 60 * 60 * 1000) });
    try {
      const c = JobRouterClient.fromConnectionString(skewed.connectionString, FAST);
      const err = await caught(c.getQueue("q"));
      expect(err.statusCode).toBe(401);
      expect(err.message).toMatch(/clock/);
      expect(surfaces(err)).not.toContain(skewed.accessKey);
    } finally {
      await skewed.close();
    }
  });
});

describe("retries through fault injection", () => {
  it("503 with Retry-After on every request: gives up after 1 + maxRetries attempts", async () => {
    const f = await startEmulator({ port: 0, faults: { errorRate: 1, errorStatus: 503, retryAfterSeconds: 0 } });
    try {
      const c = JobRouterClient.fromConnectionString(f.connectionString, {
        retryOptions: { maxRetries: 2, retryDelayInMs: 1 },
      });
      const err = await caught(c.getQueue("q"));
      expect(err.statusCode).toBe(503);
      expect(f.requests.map((r) => r.status)).toEqual([503, 503, 503]);
    } finally {
      await f.close();
    }
  });

  it("mixed 429/503 faults: the call succeeds and every failed attempt was retried", async () => {
    const f = await startEmulator({
      port: 0,
      faults: { errorRate: 0.5, errorStatus: "mixed", retryAfterSeconds: 0, seed: 7 },
    });
    try {
      // A huge exponential delay proves the Retry-After (0 s) is what paces the retries.
      const c = JobRouterClient.fromConnectionString(f.connectionString, {
        retryOptions: { maxRetries: 10, retryDelayInMs: 600_000, maxRetryDelayInMs: 600_000 },
      });
      for (let i = 0; i < 8; i++) {
        const res = await c.upsertExceptionPolicy(`ep-f${i}`, { name: `n${i}` });
        expect(res.value.id).toBe(`ep-f${i}`);
      }
      const statuses = f.requests.map((r) => r.status);
      const faults = statuses.filter((s) => s === 429 || s === 503);
      expect(faults.length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 201)).toHaveLength(8);
      expect(statuses).toHaveLength(8 + faults.length);
      expect(new Set(faults)).toEqual(new Set([429, 503]));
    } finally {
      await f.close();
    }
  });

  it("dropped connections are retried", async () => {
    const f = await startEmulator({ port: 0, faults: { dropRate: 0.5, seed: 3 } });
    try {
      const c = JobRouterClient.fromConnectionString(f.connectionString, {
        retryOptions: { maxRetries: 10, retryDelayInMs: 1, maxRetryDelayInMs: 5 },
      });
      for (let i = 0; i < 5; i++) await c.upsertExceptionPolicy(`ep-d${i}`, { name: "x" });
      const statuses = f.requests.map((r) => r.status);
      expect(statuses.filter((s) => s === 0).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    } finally {
      await f.close();
    }
  });
});
