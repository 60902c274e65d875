// The last behaviours the official SDKs' tests showed to differ between the emulator and the real service
// (issue 22, api-version 2023-11-01), each pinned through our client against an emulator over HTTP on port 0.
// Sources: the .NET, Java and Python SDKs' live tests and their recorded answers (named per fact).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { canonicalSpec } from "../../provider/canonical";
import type { ClassificationPolicy, ExceptionPolicy } from "../../provider/client/models";
import { errorsOf, validateAdminBody } from "../../provider/client/validation";
import { addWorker, setupQueue, startHarness, type Harness } from "./runtime-harness";

type Body = Record<string, unknown>;
type PolicyBody<T> = Omit<T, "id" | "etag">;

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** The answer's JSON exactly as it came over the wire (key order included), from the emulator's stored record. */
function keysOf(o: unknown): string[] {
  return Object.keys(o as Body);
}

describe("fact 1: worker selectors of policies are answered with expedite false (and status active)", () => {
  const en = { key: "Lang", labelOperator: "equal" as const, value: "en" };
  const vip = { key: "VIP", labelOperator: "equal" as const, value: true };
  const filled = (s: Body): Body => ({ expedite: false, status: "active", ...s });
  const policy: PolicyBody<ClassificationPolicy> = {
    name: "cp",
    workerSelectorAttachments: [
      { kind: "static", workerSelector: en },
      { kind: "conditional", condition: { kind: "static", value: true }, workerSelectors: [vip] },
      { kind: "passThrough", key: "Region", labelOperator: "equal" },
      {
        kind: "ruleEngine",
        rule: { kind: "static", value: [{ key: "Skill", labelOperator: "greaterThan", value: 5 }] },
      },
      {
        kind: "weightedAllocation",
        allocations: [
          { weight: 0.5, workerSelectors: [en] },
          { weight: 0.5, workerSelectors: [{ ...vip, expedite: true }] },
        ],
      },
    ],
  };

  it("classification-policy attachments: static, conditional and weightedAllocation selectors; PATCH and GET agree", async () => {
    const answer = (await h.client.upsertClassificationPolicy("cp", policy)).value;
    const again = await h.client.getClassificationPolicy("cp");
    for (const got of [answer, again]) {
      expect(got.workerSelectorAttachments).toEqual([
        { kind: "static", workerSelector: filled(en) },
        { kind: "conditional", condition: { kind: "static", value: true }, workerSelectors: [filled(vip)] },
        // passThrough has no selector of its own; a ruleEngine static rule's value is the rule's data, echoed.
        { kind: "passThrough", key: "Region", labelOperator: "equal" },
        {
          kind: "ruleEngine",
          rule: { kind: "static", value: [{ key: "Skill", labelOperator: "greaterThan", value: 5 }] },
        },
        {
          kind: "weightedAllocation",
          allocations: [
            { weight: 0.5, workerSelectors: [filled(en)] },
            // A selector sent with expedite true keeps it.
            { weight: 0.5, workerSelectors: [{ expedite: true, status: "active", ...vip }] },
          ],
        },
      ]);
    }
    // The recorded field order: expedite and status first [rec: Python SDK test_create_classification_policy].
    const first = answer.workerSelectorAttachments?.[0];
    expect(first?.kind === "static" ? keysOf(first.workerSelector) : []).toEqual([
      "expedite",
      "status",
      "key",
      "labelOperator",
      "value",
    ]);
    // No diff for the providers, and the answer is valid input again (a refresh's inputs).
    expect(canonicalSpec("classificationPolicies", again, "cp")).toEqual(
      canonicalSpec("classificationPolicies", policy, "cp"),
    );
    expect(errorsOf(validateAdminBody("classificationPolicies", again, { unknownProperties: "report" }))).toEqual([]);
  });

  it("exception policies: manualReclassify selectors get expedite false and status active", async () => {
    const ep: PolicyBody<ExceptionPolicy> = {
      name: "ep",
      exceptionRules: [
        {
          id: "wait",
          trigger: { kind: "waitTime", thresholdSeconds: 60 },
          actions: [
            {
              id: "move",
              kind: "manualReclassify",
              queueId: "q1",
              priority: 5,
              workerSelectors: [{ key: "abc", labelOperator: "equal", value: 1 }],
            },
          ],
        },
      ],
    };
    const answer = (await h.client.upsertExceptionPolicy("ep", ep)).value;
    const action = answer.exceptionRules?.[0]?.actions[0];
    // [rec: .NET ExceptionPolicyLiveTests.CreateExceptionPolicyTest_WaitTime]
    expect(action?.kind === "manualReclassify" ? action.workerSelectors : undefined).toEqual([
      { expedite: false, status: "active", key: "abc", labelOperator: "equal", value: 1 },
    ]);
    const again = await h.client.getExceptionPolicy("ep");
    expect(again.exceptionRules).toEqual(answer.exceptionRules);
    expect(canonicalSpec("exceptionPolicies", again, "ep")).toEqual(canonicalSpec("exceptionPolicies", ep, "ep"));
  });

  it("a job classified by such a policy still attaches plain active selectors", async () => {
    await setupQueue(h);
    await h.client.upsertClassificationPolicy("cp", {
      name: "cp",
      fallbackQueueId: "q1",
      workerSelectorAttachments: [{ kind: "static", workerSelector: en }],
    });
    await h.client.upsertJob("j", { channelId: "chat", classificationPolicyId: "cp", labels: {} });
    expect((await h.client.getJob("j")).attachedWorkerSelectors).toEqual([
      { key: "Lang", labelOperator: "equal", value: "en", expedite: false, status: "active" },
    ]);
  });
});

describe("fact 2: bestWorker scoringRuleOptions and bypassSelectors defaults, member by member", () => {
  const scoringRule = { kind: "expression" as const, expression: "1" };
  const defaults = {
    scoringParameters: ["jobLabels", "workerSelectors"],
    isBatchScoringEnabled: false,
    descendingOrder: true,
  };

  it("without scoringRuleOptions: the recorded default options and bypassSelectors false", async () => {
    const body = { name: "dp", offerExpiresAfterSeconds: 60, mode: { kind: "bestWorker" as const, scoringRule } };
    const answer = (await h.client.upsertDistributionPolicy("dp", body)).value;
    // [rec: .NET DistributionPolicyLiveTests.CreateDistributionPolicyTest_BestWorker_DefaultScoringRule]
    expect(answer.mode).toMatchObject({ bypassSelectors: false, scoringRuleOptions: defaults });
    expect(answer.mode?.kind === "bestWorker" ? keysOf(answer.mode.scoringRuleOptions) : []).toEqual(
      Object.keys(defaults),
    );
    const again = await h.client.getDistributionPolicy("dp");
    expect(again.mode).toEqual(answer.mode);
    expect(canonicalSpec("distributionPolicies", again, "dp")).toEqual(
      canonicalSpec("distributionPolicies", body, "dp"),
    );
  });

  it("given partially: the missing members are filled, the given ones kept", async () => {
    const cases: Array<{ given: Body; expected: Body }> = [
      { given: {}, expected: defaults },
      { given: { descendingOrder: false }, expected: { ...defaults, descendingOrder: false } },
      {
        given: { batchSize: 10, isBatchScoringEnabled: true },
        expected: { batchSize: 10, ...defaults, isBatchScoringEnabled: true },
      },
      { given: { scoringParameters: ["jobLabels"] }, expected: { ...defaults, scoringParameters: ["jobLabels"] } },
    ];
    for (const [i, c] of cases.entries()) {
      const id = `dp${i}`;
      const body = {
        name: id,
        offerExpiresAfterSeconds: 60,
        mode: { kind: "bestWorker" as const, scoringRule, scoringRuleOptions: c.given },
      };
      const answer = (await h.client.upsertDistributionPolicy(id, body)).value;
      const mode = answer.mode;
      expect(mode?.kind === "bestWorker" ? mode.scoringRuleOptions : undefined, JSON.stringify(c.given)).toEqual(
        c.expected,
      );
      expect(mode?.bypassSelectors).toBe(false);
      // The filled-in members are defaults for the providers: no diff against what was sent.
      expect(canonicalSpec("distributionPolicies", answer, id)).toEqual(
        canonicalSpec("distributionPolicies", body, id),
      );
    }
  });
});

describe("fact 3: a scheduled job switched to queueAndMatch answers queued in that PATCH", () => {
  const inAnHour = (): string => new Date(h.clock.now() + 3_600_000).toISOString();

  it("from scheduled: the PATCH answers queued; the schedule no longer fires; a worker gets the offer", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("s", {
      channelId: "chat",
      queueId: "q1",
      matchingMode: { kind: "scheduleAndSuspend", scheduleAt: inAnHour() },
    });
    expect((await h.client.getJob("s")).status).toBe("scheduled");
    const switched = await h.client.upsertJob("s", { matchingMode: { kind: "queueAndMatch" } });
    // [rec: Java RouterJobLiveTests.jobScheduling #3]
    expect(switched.value.status).toBe("queued");
    expect(switched.value.enqueuedAt).toEqual(expect.any(String));
    expect((await h.client.getWorker("w1")).offers?.[0]?.jobId).toBe("s");
    await h.advance(3_600_000);
    expect(h.names("RouterJobWaitingForActivation")).toEqual([]);
    expect((await h.client.getJob("s")).status).toBe("queued");
  });

  it("from waitingForActivation (the schedule came due): the PATCH answers queued", async () => {
    await setupQueue(h);
    await h.client.upsertJob("s", {
      channelId: "chat",
      queueId: "q1",
      matchingMode: { kind: "scheduleAndSuspend", scheduleAt: inAnHour() },
    });
    await h.advance(3_600_000);
    expect((await h.client.getJob("s")).status).toBe("waitingForActivation");
    // [rec: .NET SchedulingScenario.SimpleSchedulingScenario #16]
    const switched = await h.client.upsertJob("s", { matchingMode: { kind: "queueAndMatch" } });
    expect(switched.value.status).toBe("queued");
  });

  it("a scheduled job with a classification policy answers pendingClassification, then reads queued", async () => {
    await setupQueue(h);
    await h.client.upsertClassificationPolicy("cp", { name: "cp", fallbackQueueId: "q1" });
    await h.client.upsertJob("s", {
      channelId: "chat",
      classificationPolicyId: "cp",
      matchingMode: { kind: "scheduleAndSuspend", scheduleAt: inAnHour() },
    });
    const switched = await h.client.upsertJob("s", { matchingMode: { kind: "queueAndMatch" } });
    expect(switched.value.status).toBe("pendingClassification");
    expect(await h.client.getJob("s")).toMatchObject({ status: "queued", queueId: "q1" });
  });
});

describe("fact 4: updating a queued job that has a classification policy answers pendingClassification", () => {
  async function classifiedJob(): Promise<void> {
    await setupQueue(h);
    await h.client.upsertClassificationPolicy("cp", {
      name: "cp",
      fallbackQueueId: "q1",
      prioritizationRule: { kind: "expression", expression: "If(job.VIP = true, 10, 1)" },
    });
    const created = await h.client.upsertJob("j", {
      channelId: "chat",
      classificationPolicyId: "cp",
      labels: { VIP: false },
    });
    expect(created.value.status).toBe("pendingClassification");
    expect(await h.client.getJob("j")).toMatchObject({ status: "queued", priority: 1 });
  }

  it("the whole job sent back with new labels (test_update_job_w_cp): pendingClassification, then queued", async () => {
    await classifiedJob();
    // As the SDK test does: the job as read, read-only fields and all, with new labels.
    const job = await h.client.getJob("j");
    const updated = await h.client.upsertJob("j", { ...job, labels: { VIP: true, FakeKey: "FakeWorkerValue" } });
    expect(updated.value.status).toBe("pendingClassification");
    expect(updated.value.labels).toEqual({ VIP: true, FakeKey: "FakeWorkerValue" });
    expect(await h.client.getJob("j")).toMatchObject({ status: "queued", priority: 10 });
  });

  it("only the labels sent (test_update_job_w_cp_w_kwargs): pendingClassification", async () => {
    await classifiedJob();
    const updated = await h.client.upsertJob("j", { labels: { VIP: true } });
    expect(updated.value.status).toBe("pendingClassification");
    expect(await h.client.getJob("j")).toMatchObject({ status: "queued", priority: 10 });
  });

  it("an update that changes neither labels nor policy (a new priority) stays queued, unclassified", async () => {
    await classifiedJob();
    const classified = h.names("RouterJobClassified").length;
    // [rec: JS SDK should_update_a_job] a new priority with the same labels answered queued
    const updated = await h.client.upsertJob("j", { priority: 25 });
    expect(updated.value.status).toBe("queued");
    expect(await h.client.getJob("j")).toMatchObject({ status: "queued", priority: 25 });
    expect(h.names("RouterJobClassified")).toHaveLength(classified);
  });

  it("a job without a classification policy stays queued when its labels change (test_update_job_direct_q)", async () => {
    await setupQueue(h);
    await h.client.upsertJob("d", { channelId: "chat", queueId: "q1", labels: { a: 1 } });
    const updated = await h.client.upsertJob("d", { labels: { a: 2 } });
    expect(updated.value.status).toBe("queued");
  });
});

describe("fact 5: DELETE of a worker that no longer exists answers 204", () => {
  it("deleting the same worker twice answers 204 both times (and never-created ids too)", async () => {
    await setupQueue(h);
    await addWorker(h, "w1");
    expect(await h.client.deleteWorker("w1")).toBe(true);
    expect(await h.client.deleteWorker("w1")).toBe(true);
    expect(await h.client.deleteWorker("never-was")).toBe(true);
    const deletes = h.emulator.requests.filter((r) => r.method === "DELETE" && r.path.startsWith("/routing/workers/"));
    expect(deletes.map((r) => `${r.path} ${r.status}`)).toEqual([
      "/routing/workers/w1 204",
      "/routing/workers/w1 204",
      "/routing/workers/never-was 204",
    ]);
    // Only the first delete deleted something: one event, and the worker is gone.
    expect(h.names("RouterWorkerDeleted")).toHaveLength(1);
    expect(await h.client.tryGetWorker("w1")).toBeUndefined();
  });
});

describe("fact 6: states that race on the service are answered deterministically (docs/emulator.md)", () => {
  it("each write answers its early state; the next read shows the settled one", async () => {
    await setupQueue(h);
    await h.client.upsertClassificationPolicy("cp", { name: "cp", fallbackQueueId: "q1" });
    const seen: string[] = [];
    const note = async (
      what: string,
      answer: Promise<{ value: { status?: string; queueId?: string } }>,
      id: string,
    ) => {
      const a = (await answer).value;
      const later = await h.client.getJob(id);
      seen.push(`${what}: ${a.status ?? "-"}/${a.queueId ?? "-"} then ${later.status ?? "-"}/${later.queueId ?? "-"}`);
    };
    const at = new Date(h.clock.now() + 60_000).toISOString();
    await note("direct", h.client.upsertJob("d", { channelId: "chat", queueId: "q1" }), "d");
    await note("classified", h.client.upsertJob("c", { channelId: "chat", classificationPolicyId: "cp" }), "c");
    await note(
      "scheduled",
      h.client.upsertJob("s", {
        channelId: "chat",
        queueId: "q1",
        matchingMode: { kind: "scheduleAndSuspend", scheduleAt: at },
      }),
      "s",
    );
    await note("suspend a queued job", h.client.upsertJob("d", { matchingMode: { kind: "suspend" } }), "d");
    await note("new labels", h.client.upsertJob("c", { labels: { x: 1 } }), "c");
    await note("new priority", h.client.upsertJob("c", { priority: 3 }), "c");
    await note("activate", h.client.upsertJob("s", { matchingMode: { kind: "queueAndMatch" } }), "s");
    expect(seen).toEqual([
      "direct: created/q1 then queued/q1",
      "classified: pendingClassification/- then queued/q1",
      "scheduled: pendingSchedule/q1 then scheduled/q1",
      "suspend a queued job: waitingForActivation/q1 then waitingForActivation/q1",
      "new labels: pendingClassification/q1 then queued/q1",
      "new priority: queued/q1 then queued/q1",
      "activate: queued/q1 then queued/q1",
    ]);
  });

  it("a job whose classification failed, given a policy that works, answers pendingClassification", async () => {
    await setupQueue(h);
    await h.client.upsertClassificationPolicy("none", { name: "none" });
    await h.client.upsertClassificationPolicy("cp", { name: "cp", fallbackQueueId: "q1" });
    await h.client.upsertJob("j", { channelId: "chat", classificationPolicyId: "none" });
    expect((await h.client.getJob("j")).status).toBe("classificationFailed");
    const fixed = await h.client.upsertJob("j", { classificationPolicyId: "cp" });
    expect(fixed.value.status).toBe("pendingClassification");
    expect(await h.client.getJob("j")).toMatchObject({ status: "queued", queueId: "q1" });
  });
});
