// Routing behaviour pinned to the real service's recorded answers to the official Python SDK
// (azure-communication-jobrouter 1.0.0, api-version 2023-11-01). Each test names the fact it pins; the numbers
// follow the list in docs/python-sdk.md ("What the emulator does as the service does").

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type {
  ClassificationPolicy,
  DistributionPolicy,
  ExceptionPolicy,
  RouterJobInput,
} from "../../provider/client/models";
import { addWorker, setupQueue, startHarness, type Harness } from "./runtime-harness";

type PolicyBody<T> = Omit<T, "id" | "etag">;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function offerOf(workerId: string): Promise<{ offerId: string; jobId: string }> {
  const offer = (await h.client.getWorker(workerId)).offers?.[0];
  if (!offer) throw new Error(`worker ${workerId} has no offer`);
  return offer;
}

describe("jobs, as the service answers them", () => {
  it("fact 3: a job created with a queueId answers status created; a later GET shows it queued", async () => {
    await setupQueue(h);
    const created = await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    expect(created.value.status).toBe("created");
    expect(created.value.enqueuedAt).toBeUndefined();
    const later = await h.client.getJob("j");
    expect(later.status).toBe("queued");
    expect(later.enqueuedAt).toEqual(expect.any(String));
  });

  it("fact 2 (jobs): a job's worker selectors carry expedite false unless sent true", async () => {
    await setupQueue(h);
    const created = await h.client.upsertJob("j", {
      channelId: "chat",
      queueId: "q1",
      requestedWorkerSelectors: [
        { key: "Lang", labelOperator: "equal", value: "en" },
        { key: "VIP", labelOperator: "equal", value: true, expedite: true },
      ],
    });
    expect(created.value.requestedWorkerSelectors).toEqual([
      { key: "Lang", labelOperator: "equal", value: "en", expedite: false, status: "active" },
      { key: "VIP", labelOperator: "equal", value: true, expedite: true, status: "active" },
    ]);
  });

  it("fact 4: updating a classified job's labels sends it back through classification and recomputes its priority", async () => {
    await setupQueue(h);
    await h.client.upsertClassificationPolicy("cp", {
      name: "cp",
      fallbackQueueId: "q1",
      prioritizationRule: { kind: "expression", expression: "If(job.VIP = true, 10, 1)" },
    });
    await h.client.upsertJob("j", { channelId: "chat", classificationPolicyId: "cp", labels: { VIP: false } });
    const first = await h.client.getJob("j");
    expect(first).toMatchObject({ status: "queued", priority: 1 });
    const classifiedBefore = h.names("RouterJobClassified").length;

    const updated = await h.client.upsertJob("j", { labels: { VIP: true } });
    // The update's own answer shows the reclassification it started (issue 22, fact 4).
    expect(updated.value.status).toBe("pendingClassification");
    const after = await h.client.getJob("j");
    expect(after).toMatchObject({ status: "queued", priority: 10 });
    expect(h.names("RouterJobClassified").length).toBe(classifiedBefore + 1);
    // It really went through pendingClassification again: classified, then queued a second time.
    expect(h.names("RouterJobClassified", "RouterJobQueued").slice(-2)).toEqual([
      "RouterJobClassified",
      "RouterJobQueued",
    ]);
  });

  it("fact 6: closing an assignment without a disposition code sets dispositionCode Closed", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    const accepted = await h.client.acceptJobOffer("w1", (await offerOf("w1")).offerId);
    await h.client.completeJob("j", accepted.assignmentId);
    await h.client.closeJob("j", accepted.assignmentId);
    expect(await h.client.getJob("j")).toMatchObject({ status: "closed", dispositionCode: "Closed" });
    expect(h.events("RouterJobClosed")[0]?.data).toMatchObject({ dispositionCode: "Closed" });
  });

  it("fact 7: scheduledAt is when the job became scheduled, not the requested time", async () => {
    await setupQueue(h);
    const requested = new Date(h.clock.now() + 3_600_000).toISOString();
    const mm = { kind: "scheduleAndSuspend" as const, scheduleAt: requested };
    const t1 = h.clock.now();
    await h.client.upsertJob("s1", { channelId: "chat", queueId: "q1", matchingMode: mm });
    await h.advance(5_000);
    const t2 = h.clock.now();
    await h.client.upsertJob("s2", { channelId: "chat", queueId: "q1", matchingMode: mm });
    const [s1, s2] = [await h.client.getJob("s1"), await h.client.getJob("s2")];
    expect(s1.status).toBe("scheduled");
    expect(Date.parse(s1.scheduledAt ?? "")).toBe(t1);
    expect(Date.parse(s2.scheduledAt ?? "")).toBe(t2);
    // The requested time still governs activation.
    await h.advance(Date.parse(requested) - h.clock.now());
    expect((await h.client.getJob("s1")).status).toBe("waitingForActivation");
  });
});

describe("workers, as the service answers them", () => {
  it("fact 5: loadRatio counts outstanding offers (one open offer of cost 1 on capacity 1 reads 1)", async () => {
    await setupQueue(h);
    await addWorker(h, "w1", { capacity: 1 });
    expect((await h.client.getWorker("w1")).loadRatio).toBe(0);
    await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    const w = await h.client.getWorker("w1");
    expect(w.offers).toHaveLength(1);
    expect(w.loadRatio).toBe(1);
    await h.client.declineJobOffer("w1", (await offerOf("w1")).offerId);
    expect((await h.client.getWorker("w1")).loadRatio).toBe(0);
  });
});

describe("fact 8: old kebab-case kinds are accepted, acted on, and echoed as sent", () => {
  // The client's types only know the 2023-11-01 names: these bodies are what other clients send.
  const asDistribution = (b: object): PolicyBody<DistributionPolicy> => b as PolicyBody<DistributionPolicy>;
  const asClassification = (b: object): PolicyBody<ClassificationPolicy> => b as PolicyBody<ClassificationPolicy>;
  const asException = (b: object): PolicyBody<ExceptionPolicy> => b as PolicyBody<ExceptionPolicy>;

  it("a static-rule prioritization, rule-engine/static-rule and pass-through attachments classify and queue the job", async () => {
    await h.client.upsertDistributionPolicy(
      "dp",
      asDistribution({ name: "dp", offerExpiresAfterSeconds: 60, mode: { kind: "round-robin" } }),
    );
    await h.client.upsertQueue("q-en", { name: "q-en", distributionPolicyId: "dp", labels: { Lang: "en" } });
    const policy = {
      name: "cp",
      queueSelectorAttachments: [{ kind: "pass-through", key: "Lang", labelOperator: "equal" }],
      workerSelectorAttachments: [
        {
          kind: "rule-engine",
          rule: { kind: "static-rule", value: [{ key: "Skill", labelOperator: "greaterThan", value: 5 }] },
        },
      ],
      prioritizationRule: { kind: "static-rule", value: 7 },
    };
    const put = await h.client.upsertClassificationPolicy("cp", asClassification(policy));
    expect(put.value.prioritizationRule).toEqual({ kind: "static-rule", value: 7 });
    expect(put.value.workerSelectorAttachments?.[0]?.kind).toBe("rule-engine");
    expect((await h.client.getDistributionPolicy("dp")).mode?.kind).toBe("round-robin");

    await h.client.upsertWorker("w1", {
      queues: ["q-en"],
      capacity: 1,
      labels: { Skill: 9 },
      channels: [{ channelId: "chat", capacityCostPerJob: 1 }],
      availableForOffers: true,
    });
    await h.client.upsertJob("j", { channelId: "chat", classificationPolicyId: "cp", labels: { Lang: "en" } });
    const job = await h.client.getJob("j");
    expect(job).toMatchObject({ status: "queued", queueId: "q-en", priority: 7 });
    expect(job.attachedWorkerSelectors).toEqual([
      { key: "Skill", labelOperator: "greaterThan", value: 5, expedite: false, status: "active" },
    ]);
    expect((await offerOf("w1")).jobId).toBe("j"); // the round-robin mode distributes
  });

  it("a schedule-and-suspend job goes pendingSchedule -> scheduled -> waitingForActivation", async () => {
    await setupQueue(h);
    const at = new Date(h.clock.now() + 60_000).toISOString();
    const body = {
      channelId: "chat",
      queueId: "q1",
      matchingMode: { kind: "schedule-and-suspend", scheduleAt: at },
    } as unknown as RouterJobInput;
    const created = await h.client.upsertJob("s", body);
    expect(created.value.status).toBe("pendingSchedule");
    expect(created.value.matchingMode).toEqual({ kind: "schedule-and-suspend", scheduleAt: at });
    expect((await h.client.getJob("s")).status).toBe("scheduled");
    await h.advance(60_000);
    expect((await h.client.getJob("s")).status).toBe("waitingForActivation");
  });

  it("queue-length and wait-time triggers fire; manual-reclassify and best-worker act", async () => {
    await h.client.upsertDistributionPolicy(
      "dp",
      asDistribution({
        name: "dp",
        offerExpiresAfterSeconds: 60,
        mode: { kind: "best-worker", scoringRule: { kind: "expression-rule", expression: "worker.Score" } },
      }),
    );
    await h.client.upsertQueue("other", { name: "other", distributionPolicyId: "dp" });
    await h.client.upsertExceptionPolicy(
      "ep",
      asException({
        name: "ep",
        exceptionRules: [
          {
            id: "long",
            trigger: { kind: "queue-length", threshold: 1 },
            actions: [{ kind: "manual-reclassify", queueId: "other", priority: 42 }],
          },
          {
            id: "slow",
            trigger: { kind: "wait-time", thresholdSeconds: 30 },
            actions: [{ kind: "cancel", dispositionCode: "TooSlow" }],
          },
        ],
      }),
    );
    await h.client.upsertQueue("main", { name: "main", distributionPolicyId: "dp", exceptionPolicyId: "ep" });
    // Two workers on "other" only: jobs in "main" wait there.
    for (const [id, score] of [
      ["low", 1],
      ["high", 5],
    ] as const) {
      await h.client.upsertWorker(id, {
        queues: ["other"],
        capacity: 1,
        labels: { Score: score },
        channels: [{ channelId: "chat", capacityCostPerJob: 1 }],
        availableForOffers: true,
      });
    }
    await h.client.upsertJob("first", { channelId: "chat", queueId: "main" });
    await h.client.upsertJob("second", { channelId: "chat", queueId: "main" });
    // queue-length: the second job makes the queue 2 long; manual-reclassify moves it with priority 42.
    expect(await h.client.getJob("second")).toMatchObject({ status: "queued", queueId: "other", priority: 42 });
    await h.advance(30_000);
    // wait-time: the first job, still in "main", is cancelled by the cancel action.
    expect(await h.client.getJob("first")).toMatchObject({ status: "cancelled", dispositionCode: "TooSlow" });

    // best-worker with an expression-rule scoring rule offered the higher-scored worker.
    expect((await offerOf("high")).jobId).toBe("second");
    expect((await h.client.getWorker("low")).offers).toEqual([]);
  });
});
