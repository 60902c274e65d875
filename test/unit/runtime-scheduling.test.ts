import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addWorker, failure, setupQueue, startHarness, type Harness } from "./runtime-harness";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  await setupQueue(h);
});
afterEach(async () => {
  await h.close();
});

describe("matching modes", () => {
  it("scheduleAndSuspend: pendingSchedule -> scheduled -> waitingForActivation at scheduleAt -> queued when switched to queueAndMatch", async () => {
    await addWorker(h, "w1");
    const at = new Date(h.clock.now() + 3_600_000);
    const createdAt = h.clock.now();
    const created = await h.client.upsertJob("s", {
      channelId: "chat",
      queueId: "q1",
      matchingMode: { kind: "scheduleAndSuspend", scheduleAt: at.toISOString() },
    });
    expect(created.value.status).toBe("pendingSchedule");
    const scheduled = await h.client.getJob("s");
    expect(scheduled.status).toBe("scheduled");
    // [rec: Python SDK] scheduledAt is when the job became scheduled; the requested time governs activation
    expect(Date.parse(scheduled.scheduledAt ?? "")).toBe(createdAt);
    await h.advance(3_599_999);
    expect((await h.client.getJob("s")).status).toBe("scheduled");
    await h.advance(1);
    expect((await h.client.getJob("s")).status).toBe("waitingForActivation");
    expect(h.names("RouterJobWaitingForActivation")).toHaveLength(1);
    expect((await h.client.getWorker("w1")).offers).toEqual([]);
    await h.client.upsertJob("s", { matchingMode: { kind: "queueAndMatch" } });
    expect((await h.client.getJob("s")).status).toBe("queued");
    expect((await h.client.getWorker("w1")).offers?.[0]?.jobId).toBe("s");
  });

  it("suspend: the job waits for activation and is not matched", async () => {
    await addWorker(h, "w1");
    const r = await h.client.upsertJob("p", { channelId: "chat", queueId: "q1", matchingMode: { kind: "suspend" } });
    expect(r.value.status).toBe("waitingForActivation");
    expect((await h.client.getWorker("w1")).offers).toEqual([]);
  });

  it("suspending a queued job stops matching; queueAndMatch resumes it", async () => {
    await h.client.upsertJob("p", { channelId: "chat", queueId: "q1" });
    await h.client.upsertJob("p", { matchingMode: { kind: "suspend" } });
    expect((await h.client.getJob("p")).status).toBe("waitingForActivation");
    await addWorker(h, "w1");
    expect((await h.client.getWorker("w1")).offers).toEqual([]);
    await h.client.upsertJob("p", { matchingMode: { kind: "queueAndMatch" } });
    expect((await h.client.getWorker("w1")).offers?.[0]?.jobId).toBe("p");
  });

  it("list with scheduledBefore / scheduledAfter selects scheduled jobs in range (inclusive)", async () => {
    const t = h.clock.now();
    for (const [id, offset] of [
      ["s1", 60_000],
      ["s2", 120_000],
      ["s3", 180_000],
    ] as const) {
      await h.client.upsertJob(id, {
        channelId: "chat",
        queueId: "q1",
        matchingMode: { kind: "scheduleAndSuspend", scheduleAt: new Date(t + offset).toISOString() },
      });
    }
    await h.client.upsertJob("plain", { channelId: "chat", queueId: "q1" });
    const ids = async (opts: Parameters<Harness["client"]["listJobs"]>[0]): Promise<string[]> => {
      const out: string[] = [];
      for await (const j of h.client.listJobs(opts)) out.push(j.id);
      return out;
    };
    expect(await ids({ scheduledBefore: new Date(t + 120_000) })).toEqual(["s1", "s2"]);
    expect(await ids({ scheduledAfter: new Date(t + 120_000) })).toEqual(["s2", "s3"]);
  });

  it("an invalid scheduleAt is refused with a field error", async () => {
    const e = await failure(
      h.client.upsertJob("bad", {
        channelId: "chat",
        queueId: "q1",
        matchingMode: { kind: "scheduleAndSuspend", scheduleAt: "tomorrow" },
      }),
    );
    expect(e.statusCode).toBe(400);
    expect(JSON.stringify(e.details)).toContain("matchingMode.scheduleAt: must be an RFC 3339 date-time");
  });
});
