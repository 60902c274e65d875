import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setupQueue, startHarness, type Harness } from "./runtime-harness";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

describe("exception policies", () => {
  it("waitTime trigger with a cancel action cancels a job still queued after thresholdSeconds (recorded policy)", async () => {
    await h.client.upsertExceptionPolicy("test-e-policy", {
      name: "test-e-policy",
      exceptionRules: [
        {
          id: "MaxWaitTimeExceededCancel",
          actions: [{ kind: "cancel", note: "wait time exceeded; cancelling" }],
          trigger: { kind: "waitTime", thresholdSeconds: 10 },
        },
      ],
    });
    await setupQueue(h, { exceptionPolicyId: "test-e-policy" });
    await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    await h.advance(9_999);
    expect((await h.client.getJob("j")).status).toBe("queued");
    await h.advance(1);
    const j = await h.client.getJob("j");
    expect(j.status).toBe("cancelled");
    expect(j.notes?.map((n) => n.message)).toEqual(["wait time exceeded; cancelling"]);
    expect(h.events("RouterJobExceptionTriggered")[0]?.data).toMatchObject({
      jobId: "j",
      ruleKey: "MaxWaitTimeExceededCancel",
    });
  });

  it("queueLength trigger fires for the job that makes the queue longer than the threshold", async () => {
    await h.client.upsertExceptionPolicy("ep", {
      exceptionRules: [
        {
          id: "tooLong",
          trigger: { kind: "queueLength", threshold: 1 },
          actions: [{ kind: "cancel", dispositionCode: "QueueFull" }],
        },
      ],
    });
    await setupQueue(h, { exceptionPolicyId: "ep" });
    await h.client.upsertJob("first", { channelId: "chat", queueId: "q1" });
    await h.client.upsertJob("second", { channelId: "chat", queueId: "q1" });
    expect((await h.client.getJob("first")).status).toBe("queued");
    expect(await h.client.getJob("second")).toMatchObject({ status: "cancelled", dispositionCode: "QueueFull" });
  });

  it("reclassify action re-runs classification with labelsToUpsert (and another policy)", async () => {
    await setupQueue(h, { queueId: "normal" });
    await setupQueue(h, { queueId: "vip", labels: { Tier: "vip" } });
    await h.client.upsertClassificationPolicy("escalate", {
      queueSelectorAttachments: [{ kind: "passThrough", key: "Tier", labelOperator: "equal" }],
      prioritizationRule: { kind: "expression", expression: 'If(job.Tier = "vip", 50, 1)' },
    });
    await h.client.upsertExceptionPolicy("ep", {
      exceptionRules: [
        {
          id: "escalateAfter30s",
          trigger: { kind: "waitTime", thresholdSeconds: 30 },
          actions: [{ kind: "reclassify", classificationPolicyId: "escalate", labelsToUpsert: { Tier: "vip" } }],
        },
      ],
    });
    await h.client.upsertQueue("normal", { exceptionPolicyId: "ep" });
    await h.client.upsertJob("j", { channelId: "chat", queueId: "normal" });
    await h.advance(30_000);
    expect(await h.client.getJob("j")).toMatchObject({
      status: "queued",
      queueId: "vip",
      priority: 50,
      classificationPolicyId: "escalate",
      labels: { Tier: "vip" },
    });
  });

  it("manualReclassify action moves the job to a queue with a priority and selectors", async () => {
    await setupQueue(h, { queueId: "overflow" });
    await h.client.upsertExceptionPolicy("ep", {
      exceptionRules: [
        {
          id: "overflow",
          trigger: { kind: "waitTime", thresholdSeconds: 5 },
          actions: [
            {
              kind: "manualReclassify",
              queueId: "overflow",
              priority: 7,
              workerSelectors: [{ key: "Senior", labelOperator: "equal", value: true }],
            },
          ],
        },
      ],
    });
    await setupQueue(h, { exceptionPolicyId: "ep" });
    await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    await h.advance(5_000);
    const j = await h.client.getJob("j");
    expect(j).toMatchObject({ status: "queued", queueId: "overflow", priority: 7 });
    expect(j.attachedWorkerSelectors).toEqual([
      { key: "Senior", labelOperator: "equal", value: true, expedite: false, status: "active" },
    ]);
  });

  it("a waitTime rule does not fire for a job assigned before the threshold", async () => {
    await h.client.upsertExceptionPolicy("ep", {
      exceptionRules: [{ id: "w", trigger: { kind: "waitTime", thresholdSeconds: 10 }, actions: [{ kind: "cancel" }] }],
    });
    await setupQueue(h, { exceptionPolicyId: "ep" });
    await h.client.upsertWorker("w1", {
      queues: ["q1"],
      capacity: 1,
      channels: [{ channelId: "chat", capacityCostPerJob: 1 }],
      availableForOffers: true,
    });
    await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    const offer = (await h.client.getWorker("w1")).offers?.[0];
    await h.client.acceptJobOffer("w1", offer?.offerId ?? "");
    await h.advance(60_000);
    expect((await h.client.getJob("j")).status).toBe("assigned");
    expect(h.names("RouterJobExceptionTriggered")).toEqual([]);
  });
});

describe("exception policy attached later", () => {
  it("a waitTime rule added to the queue after a job was queued still fires, counted from enqueuedAt", async () => {
    await setupQueue(h);
    await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    await h.advance(5_000);
    await h.client.upsertExceptionPolicy("late", {
      exceptionRules: [{ id: "w", trigger: { kind: "waitTime", thresholdSeconds: 8 }, actions: [{ kind: "cancel" }] }],
    });
    await h.client.upsertQueue("q1", { exceptionPolicyId: "late" });
    await h.runtime.idle();
    await h.advance(2_999);
    expect((await h.client.getJob("j")).status).toBe("queued");
    await h.advance(1);
    expect((await h.client.getJob("j")).status).toBe("cancelled");
  });
});
