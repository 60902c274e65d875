import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addWorker, failure, setupQueue, startHarness, type Harness } from "./runtime-harness";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  await setupQueue(h, { queueId: "test-a-queue" });
});
afterEach(async () => {
  await h.close();
});

describe("worker upsert shapes (as recorded)", () => {
  it("create answers 201 inactive with the Id label and the server additions", async () => {
    const r = await h.client.upsertWorker("test-worker", {
      capacity: 1,
      availableForOffers: false,
      queues: ["test-a-queue"],
      channels: [{ channelId: "test-channel", capacityCostPerJob: 1 }],
      labels: {},
    });
    expect(r.created).toBe(true);
    expect(r.value).toEqual({
      id: "test-worker",
      state: "inactive",
      queues: ["test-a-queue"],
      capacity: 1,
      labels: { Id: "test-worker" },
      tags: {},
      channels: [{ channelId: "test-channel", capacityCostPerJob: 1 }],
      offers: [],
      assignedJobs: [],
      loadRatio: 0,
      availableForOffers: false,
      etag: r.etag,
    });
    expect(Object.keys(r.value)).toEqual([
      "id",
      "state",
      "queues",
      "capacity",
      "labels",
      "tags",
      "channels",
      "offers",
      "assignedJobs",
      "loadRatio",
      "availableForOffers",
      "etag",
    ]);
    expect(r.etag.slice(1, 9)).toBe("00000000");
  });

  it("labels merge ({} keeps label1), tags null clears to {}", async () => {
    await addWorker(h, "w", { queues: ["test-a-queue"], available: false, labels: { label1: "label1value" } });
    const r1 = await h.client.upsertWorker("w", { labels: {}, tags: { tag1: "tag1value" } });
    expect(r1.value.labels).toEqual({ Id: "w", label1: "label1value" });
    expect(r1.value.tags).toEqual({ tag1: "tag1value" });
    const r2 = await h.client.upsertWorker("w", { tags: null });
    expect(r2.value.tags).toEqual({});
    expect(r2.etag.slice(1, 9)).toBe("00000002");
  });

  it("availableForOffers true registers (active, event); false deregisters (inactive, event)", async () => {
    await addWorker(h, "w", { queues: ["test-a-queue"], available: false });
    expect((await h.client.upsertWorker("w", { availableForOffers: true })).value.state).toBe("active");
    expect((await h.client.upsertWorker("w", { availableForOffers: false })).value.state).toBe("inactive");
    expect(h.names("RouterWorkerRegistered", "RouterWorkerDeregistered")).toEqual([
      "RouterWorkerRegistered",
      "RouterWorkerDeregistered",
    ]);
    const reg = h.events("RouterWorkerRegistered")[0];
    expect(reg?.subject).toBe("worker/w");
    expect(reg?.data).toMatchObject({ workerId: "w", totalCapacity: 1, queueAssignments: [{ id: "test-a-queue" }] });
  });

  it("an update of an active worker raises RouterWorkerUpdated naming what changed", async () => {
    await addWorker(h, "w", { queues: ["test-a-queue"] });
    await h.client.upsertWorker("w", { capacity: 3, labels: { skill: 5 } });
    expect(h.events("RouterWorkerUpdated")[0]?.data["updatedWorkerProperties"]).toEqual(["TotalCapacity", "Labels"]);
  });

  it("validation names the path: channels[0].capacityCostPerJob is required", async () => {
    const e = await failure(
      h.client.upsertWorker("bad", {
        channels: [{ channelId: "x" } as { channelId: string; capacityCostPerJob: number }],
      }),
    );
    expect(e.statusCode).toBe(400);
    expect(JSON.stringify(e.details)).toContain("channels[0].capacityCostPerJob: is required");
  });

  it("delete answers 204; a worker holding an assignment is refused with 409", async () => {
    await addWorker(h, "idle", { queues: ["test-a-queue"], available: false });
    expect(await h.client.deleteWorker("idle")).toBe(true);
    expect(await h.client.tryGetWorker("idle")).toBeUndefined();
    await addWorker(h, "busy", { queues: ["test-a-queue"] });
    await h.client.upsertJob("j", { channelId: "chat", queueId: "test-a-queue" });
    const offer = (await h.client.getWorker("busy")).offers?.[0];
    await h.client.acceptJobOffer("busy", offer?.offerId ?? "");
    const e = await failure(h.client.deleteWorker("busy"));
    expect(e.statusCode).toBe(409);
  });
});

describe("list workers", () => {
  beforeEach(async () => {
    await h.client.upsertQueue("q2", { distributionPolicyId: "test-a-queue-dp" });
    await addWorker(h, "a", { queues: ["test-a-queue"], capacity: 1 });
    await addWorker(h, "b", {
      queues: ["q2"],
      capacity: 5,
      channels: [{ channelId: "voice", capacityCostPerJob: 5 }],
      available: false,
    });
    await addWorker(h, "c", { queues: ["test-a-queue", "q2"], capacity: 2 });
    await h.client.upsertJob("j", { channelId: "chat", queueId: "test-a-queue" });
    // a (longest idle) holds the offer: with capacity 1 it has no room left
  });
  const ids = async (opts: Parameters<Harness["client"]["listWorkers"]>[0]): Promise<string[]> => {
    const out: string[] = [];
    for await (const w of h.client.listWorkers(opts)) out.push(w.id);
    return out;
  };

  it("filters by state", async () => {
    expect(await ids({ state: "active" })).toEqual(["a", "c"]);
    expect(await ids({ state: "inactive" })).toEqual(["b"]);
    expect(await ids({})).toEqual(["a", "b", "c"]);
  });

  it("filters by channelId and queueId", async () => {
    expect(await ids({ channelId: "voice" })).toEqual(["b"]);
    expect(await ids({ queueId: "q2" })).toEqual(["b", "c"]);
  });

  it("hasCapacity keeps workers with room on the channel (or any channel)", async () => {
    expect(await ids({ hasCapacity: true, channelId: "chat" })).toEqual(["c"]);
    expect(await ids({ hasCapacity: true })).toEqual(["b", "c"]);
  });
});
