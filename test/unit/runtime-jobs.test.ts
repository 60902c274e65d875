import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addWorker, failure, setupQueue, startHarness, type Harness } from "./runtime-harness";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  await setupQueue(h, { queueId: "test-a-queue" });
  await h.client.upsertClassificationPolicy("test-c-policy", {
    name: "test-c-policy",
    fallbackQueueId: "test-a-queue",
  });
});
afterEach(async () => {
  await h.close();
});

async function raw(method: string, path: string): Promise<Response> {
  // Unsigned requests are refused, so go through the client's pipeline for signing and read the raw
  // answer via the emulator's store instead when shapes matter; this helper only probes status codes.
  return fetch(new URL(path, h.endpoint), { method });
}

describe("job upsert shapes (as recorded)", () => {
  it("create with a classification policy answers 201 pendingClassification with the server additions, then settles queued", async () => {
    const r = await h.client.upsertJob("test-job", {
      channelId: "test-channel",
      priority: 1,
      classificationPolicyId: "test-c-policy",
      queueId: "test-a-queue",
      labels: {},
      notes: [],
      matchingMode: { kind: "queueAndMatch" },
    });
    expect(r.created).toBe(true);
    const { etag, ...body } = r.value;
    expect(body).toEqual({
      id: "test-job",
      status: "pendingClassification",
      channelId: "test-channel",
      classificationPolicyId: "test-c-policy",
      queueId: "test-a-queue",
      priority: 1,
      requestedWorkerSelectors: [],
      attachedWorkerSelectors: [],
      labels: {},
      assignments: {},
      tags: {},
      notes: [],
      matchingMode: { kind: "queueAndMatch" },
    });
    expect(Object.keys(r.value)).toEqual([
      "id",
      "status",
      "channelId",
      "classificationPolicyId",
      "queueId",
      "priority",
      "requestedWorkerSelectors",
      "attachedWorkerSelectors",
      "labels",
      "assignments",
      "tags",
      "notes",
      "matchingMode",
      "etag",
    ]);
    expect(etag).toMatch(/^"00000000-0000-0000-[0-9a-f]{4}-[0-9a-f]{12}"$/);
    const got = await h.client.getJob("test-job");
    expect(got.status).toBe("queued");
    expect(got.enqueuedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
    // classified, then queued: the ETag moved twice without a client write [rec]
    expect(got.etag.slice(1, 9)).toBe("00000002");
    expect(h.names()).toEqual(["RouterJobReceived", "RouterJobClassified", "RouterJobQueued"]);
  });

  it("priority null resets to 1; dispositionCode null removes it; labels merge key by key", async () => {
    await h.client.upsertJob("j", { channelId: "c", queueId: "test-a-queue", labels: { a: 1, b: 2 } });
    const up = await h.client.upsertJob("j", { priority: 25, dispositionCode: "testCode", labels: { b: null, c: 3 } });
    expect(up.created).toBe(false);
    expect(up.value).toMatchObject({ priority: 25, dispositionCode: "testCode", labels: { a: 1, c: 3 } });
    const reset = await h.client.upsertJob("j", { priority: null, dispositionCode: null });
    expect(reset.value.priority).toBe(1);
    expect("dispositionCode" in reset.value).toBe(false);
  });

  it("a direct-queue job is answered created [rec: Python SDK], then reads queued with enqueuedAt", async () => {
    const r = await h.client.upsertJob("d", { channelId: "c", queueId: "test-a-queue" });
    expect(r.value.status).toBe("created");
    expect(r.value.priority).toBe(1);
    const later = await h.client.getJob("d");
    expect(later.status).toBe("queued");
    expect(later.enqueuedAt).toBeDefined();
  });

  it("notes get addedAt; tags null clears to {}", async () => {
    const r = await h.client.upsertJob("n", {
      channelId: "c",
      queueId: "test-a-queue",
      notes: [{ message: "hello" }],
      tags: { t: "x" },
    });
    expect(r.value.notes?.[0]?.message).toBe("hello");
    expect(r.value.notes?.[0]?.addedAt).toMatch(/\+00:00$/);
    expect((await h.client.upsertJob("n", { tags: null })).value.tags).toEqual({});
  });

  it("validation errors name the field path and rule", async () => {
    const e1 = await failure(h.client.upsertJob("bad", { channelId: "c", queueId: "test-a-queue", priority: 101 }));
    expect(e1.statusCode).toBe(400);
    expect(JSON.stringify(e1.details)).toContain("priority: must be <= 100 (got 101)");
    const e2 = await failure(h.client.upsertJob("bad", { channelId: "c" }));
    expect(JSON.stringify(e2.details)).toContain("queueId: is required when no classificationPolicyId is given");
    const e3 = await failure(
      h.client.upsertJob("bad", {
        channelId: "c",
        queueId: "test-a-queue",
        requestedWorkerSelectors: [{ key: "k", labelOperator: "like" as "equal" }],
      }),
    );
    expect(JSON.stringify(e3.details)).toContain("requestedWorkerSelectors[0].labelOperator: must be one of");
    const e4 = await failure(h.client.upsertJob("bad", { channelId: "c", queueId: "nope" }));
    expect(JSON.stringify(e4.details)).toContain("queueId: queue nope does not exist");
  });

  it("If-Match with a stale ETag answers 412", async () => {
    const r = await h.client.upsertJob("e", { channelId: "c", queueId: "test-a-queue" });
    await h.client.upsertJob("e", { priority: 5 });
    const e = await failure(h.client.upsertJob("e", { priority: 6 }, { ifMatch: r.etag }));
    expect(e.statusCode).toBe(412);
  });

  it("unknown jobs answer 404; unsigned requests 401", async () => {
    expect((await failure(h.client.getJob("missing"))).statusCode).toBe(404);
    expect((await failure(h.client.cancelJob("missing"))).statusCode).toBe(404);
    expect((await raw("GET", "/routing/jobs/x?api-version=2023-11-01")).status).toBe(401);
  });
});

describe("job actions", () => {
  it("cancel without a body gives cancelled and dispositionCode Cancelled [rec]", async () => {
    await h.client.upsertJob("j", { channelId: "c", queueId: "test-a-queue" });
    await h.client.cancelJob("j");
    const j = await h.client.getJob("j");
    expect(j).toMatchObject({ status: "cancelled", dispositionCode: "Cancelled" });
    expect(h.events("RouterJobCancelled")[0]?.data).toMatchObject({ jobId: "j", dispositionCode: "Cancelled" });
  });

  it("cancel with a note and a code records both", async () => {
    await h.client.upsertJob("j", { channelId: "c", queueId: "test-a-queue" });
    await h.client.cancelJob("j", { note: "caller hung up", dispositionCode: "Abandoned" });
    const j = await h.client.getJob("j");
    expect(j.dispositionCode).toBe("Abandoned");
    expect(j.notes?.map((n) => n.message)).toEqual(["caller hung up"]);
  });

  it("cancelling a cancelled job is refused with 400 naming the status", async () => {
    await h.client.upsertJob("j", { channelId: "c", queueId: "test-a-queue" });
    await h.client.cancelJob("j");
    const e = await failure(h.client.cancelJob("j"));
    expect(e.statusCode).toBe(400);
    expect(JSON.stringify(e.details)).toContain("cancelled");
  });

  it("reclassify re-runs the classification policy", async () => {
    await h.client.upsertJob("j", { channelId: "c", classificationPolicyId: "test-c-policy" });
    await h.client.reclassifyJob("j");
    expect((await h.client.getJob("j")).status).toBe("queued");
    expect(h.names("RouterJobClassified")).toHaveLength(2);
  });

  it("queue position and statistics count queued jobs in priority order", async () => {
    await h.client.upsertJob("low", { channelId: "c", queueId: "test-a-queue", priority: 1 });
    await h.advance(1000);
    await h.client.upsertJob("high", { channelId: "c", queueId: "test-a-queue", priority: 10 });
    expect(await h.client.getQueuePosition("low")).toEqual({
      jobId: "low",
      position: 2,
      queueId: "test-a-queue",
      queueLength: 2,
    });
    expect((await h.client.getQueuePosition("high")).position).toBe(1);
    await h.advance(120_000);
    const stats = await h.client.getQueueStatistics("test-a-queue");
    expect(stats).toMatchObject({ queueId: "test-a-queue", length: 2 });
    expect(stats.longestJobWaitTimeMinutes).toBeCloseTo(121 / 60, 5);
  });

  it("delete a cancelled job answers 204 and it is gone", async () => {
    await h.client.upsertJob("j", { channelId: "c", queueId: "test-a-queue" });
    await h.client.cancelJob("j");
    expect(await h.client.deleteJob("j")).toBe(true);
    expect(await h.client.tryGetJob("j")).toBeUndefined();
  });
});

describe("list jobs", () => {
  beforeEach(async () => {
    await h.client.upsertQueue("other", { distributionPolicyId: "test-a-queue-dp" });
    await h.client.upsertJob("a", { channelId: "chat", queueId: "test-a-queue" });
    await h.client.upsertJob("b", { channelId: "voice", queueId: "other" });
    await h.client.upsertJob("c", { channelId: "chat", classificationPolicyId: "test-c-policy" });
    await h.client.cancelJob("a");
  });
  const ids = async (opts: Parameters<Harness["client"]["listJobs"]>[0]): Promise<string[]> => {
    const out: string[] = [];
    for await (const j of h.client.listJobs(opts)) out.push(j.id);
    return out;
  };

  it("filters by status, including active", async () => {
    expect(await ids({ status: "cancelled" })).toEqual(["a"]);
    expect(await ids({ status: "active" })).toEqual(["b", "c"]);
    expect(await ids({})).toEqual(["a", "b", "c"]);
  });

  it("filters by queueId, channelId and classificationPolicyId", async () => {
    expect(await ids({ queueId: "other" })).toEqual(["b"]);
    expect(await ids({ channelId: "chat" })).toEqual(["a", "c"]);
    expect(await ids({ classificationPolicyId: "test-c-policy" })).toEqual(["c"]);
  });

  it("pages with nextLink", async () => {
    const pages: number[] = [];
    for await (const page of h.client.listJobs({ maxPageSize: 2 }).byPage()) pages.push(page.value.length);
    expect(pages).toEqual([2, 1]);
  });
});

describe("referential refusals", () => {
  it("a classification policy with an active job cannot be deleted (400), and can once the job is cancelled", async () => {
    await h.client.upsertJob("j", { channelId: "c", classificationPolicyId: "test-c-policy" });
    const e = await failure(h.client.deleteClassificationPolicy("test-c-policy"));
    expect(e.statusCode).toBe(400);
    expect(e.details.map((d) => d.code)).toEqual(["ActiveJobWithClassificationPolicyExist"]);
    await h.client.cancelJob("j");
    expect(await h.client.deleteClassificationPolicy("test-c-policy")).toBe(true);
  });

  it("a queue with an active job, a fallback reference and a worker is refused with 409 listing the reasons", async () => {
    await h.client.upsertJob("j", { channelId: "c", queueId: "test-a-queue" });
    await addWorker(h, "w", { queues: ["test-a-queue"], available: false });
    const e = await failure(h.client.deleteQueue("test-a-queue"));
    expect(e.statusCode).toBe(409);
    expect(e.message).toContain("There is active job with this queue");
    expect(e.message).toContain("There is classification policy with this queue as fallback queue");
    expect(e.message).toContain("There is an assigned worker to this queue");
  });
});

describe("queue order", () => {
  it("an active expedite selector puts a job ahead of higher priorities", async () => {
    await h.client.upsertJob("vip", { channelId: "c", queueId: "test-a-queue", priority: 50 });
    await h.client.upsertJob("rush", {
      channelId: "c",
      queueId: "test-a-queue",
      priority: 1,
      requestedWorkerSelectors: [
        { key: "Lang", labelOperator: "equal", value: "en", expedite: true, expiresAfterSeconds: 60 },
      ],
    });
    expect((await h.client.getQueuePosition("rush")).position).toBe(1);
    await h.advance(60_000); // the selector expires, and with it the expedite
    expect((await h.client.getQueuePosition("rush")).position).toBe(2);
  });
});
