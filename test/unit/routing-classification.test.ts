import { describe, expect, it } from "vitest";
import type { ClassificationPolicy, Labels, RouterRule } from "../../provider/client/models";
import { classify, pickWeighted, type ClassificationDeps } from "../../routing/classification";
import type { HttpCaller } from "../../routing/rules";

const t0 = Date.parse("2024-01-01T00:00:00Z");
const queues: Array<{ id: string; labels: Labels }> = [
  { id: "q-default", labels: { Id: "q-default" } },
  { id: "q-na", labels: { Id: "q-na", Region: "NA" } },
  { id: "q-eu", labels: { Id: "q-eu", Region: "EU" } },
];
const noHttp: HttpCaller = () => Promise.reject(new Error("no network in this test"));
const deps = (random = 0): ClassificationDeps => ({ http: noHttp, random: () => random, now: () => t0 });
const policy = (p: Partial<ClassificationPolicy>): ClassificationPolicy => ({ id: "cp", etag: '"e"', ...p });
const expr = (expression: string): RouterRule => ({ kind: "expression", expression });

describe("classification: queue selection", () => {
  it("static attachment selects a queue by label", async () => {
    const r = await classify(
      { labels: {} },
      policy({
        queueSelectorAttachments: [
          { kind: "static", queueSelector: { key: "Id", labelOperator: "equal", value: "q-eu" } },
        ],
      }),
      queues,
      deps(),
    );
    expect(r).toMatchObject({ ok: true, queueId: "q-eu" });
  });

  it("conditional attachment applies only when its condition holds", async () => {
    const p = policy({
      fallbackQueueId: "q-default",
      queueSelectorAttachments: [
        {
          kind: "conditional",
          condition: expr('job.Region = "NA"'),
          queueSelectors: [{ key: "Region", labelOperator: "equal", value: "NA" }],
        },
      ],
    });
    expect(await classify({ labels: { Region: "NA" } }, p, queues, deps())).toMatchObject({
      ok: true,
      queueId: "q-na",
    });
    expect(await classify({ labels: { Region: "EU" } }, p, queues, deps())).toMatchObject({
      ok: true,
      queueId: "q-default",
    });
  });

  it("passThrough copies the job's label value into the selector", async () => {
    const p = policy({ queueSelectorAttachments: [{ kind: "passThrough", key: "Region", labelOperator: "equal" }] });
    expect(await classify({ labels: { Region: "EU" } }, p, queues, deps())).toMatchObject({
      ok: true,
      queueId: "q-eu",
    });
  });

  it("ruleEngine with directMap turns job labels into equal selectors", async () => {
    const p = policy({ queueSelectorAttachments: [{ kind: "ruleEngine", rule: { kind: "directMap" } }] });
    expect(await classify({ labels: { Region: "NA" } }, p, queues, deps())).toMatchObject({
      ok: true,
      queueId: "q-na",
    });
  });

  it("ruleEngine with a function rule uses the returned selector list", async () => {
    const http: HttpCaller = async () => ({
      status: 200,
      body: JSON.stringify([{ key: "Id", labelOperator: "equal", value: "q-eu" }]),
    });
    const p = policy({
      queueSelectorAttachments: [
        { kind: "ruleEngine", rule: { kind: "function", functionUri: "https://fn.example/api/route" } },
      ],
    });
    expect(await classify({ labels: {} }, p, queues, { ...deps(), http })).toMatchObject({ ok: true, queueId: "q-eu" });
  });

  it("weightedAllocation picks an allocation by the injected random draw", async () => {
    const p = policy({
      queueSelectorAttachments: [
        {
          kind: "weightedAllocation",
          allocations: [
            { weight: 0.3, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q-na" }] },
            { weight: 0.7, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "q-eu" }] },
          ],
        },
      ],
    });
    expect(await classify({ labels: {} }, p, queues, deps(0.29))).toMatchObject({ queueId: "q-na" });
    expect(await classify({ labels: {} }, p, queues, deps(0.31))).toMatchObject({ queueId: "q-eu" });
    expect(pickWeighted([{ weight: 0 }], () => 0.5)).toBeUndefined();
  });

  it("without a selector match the job's own queueId wins over the fallback", async () => {
    const p = policy({
      fallbackQueueId: "q-default",
      queueSelectorAttachments: [
        { kind: "static", queueSelector: { key: "Region", labelOperator: "equal", value: "APAC" } },
      ],
    });
    expect(await classify({ labels: {}, queueId: "q-eu" }, p, queues, deps())).toMatchObject({ queueId: "q-eu" });
    expect(await classify({ labels: {} }, p, queues, deps())).toMatchObject({ queueId: "q-default" });
  });

  it("fails when nothing selects a queue", async () => {
    const r = await classify({ labels: {} }, policy({}), queues, deps());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.code).toBe("QueueNotFound");
  });

  it("fails (not throws) when a rule errors", async () => {
    const r = await classify(
      { labels: {} },
      policy({ fallbackQueueId: "q-default", prioritizationRule: expr("job.X +") }),
      queues,
      deps(),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.code).toBe("ExpressionRuleFailed");
  });
});

describe("classification: prioritization and worker selectors", () => {
  it("prioritizationRule sets the priority", async () => {
    const p = policy({ fallbackQueueId: "q-default", prioritizationRule: expr("If(job.Hardware_VIP = true, 10, 1)") });
    expect(await classify({ labels: { Hardware_VIP: true }, priority: 1 }, p, queues, deps())).toMatchObject({
      priority: 10,
    });
    expect(await classify({ labels: {}, priority: 4 }, p, queues, deps())).toMatchObject({ priority: 1 });
  });

  it("without a prioritization rule the job's priority is kept", async () => {
    expect(
      await classify({ labels: {}, priority: 4 }, policy({ fallbackQueueId: "q-default" }), queues, deps()),
    ).toMatchObject({ priority: 4 });
  });

  it("static worker selector attachment attaches the selector, with expiry materialized", async () => {
    const p = policy({
      fallbackQueueId: "q-default",
      workerSelectorAttachments: [
        {
          kind: "static",
          workerSelector: { key: "Skill", labelOperator: "greaterThan", value: 5, expiresAfterSeconds: 60 },
        },
      ],
    });
    const r = await classify({ labels: {} }, p, queues, deps());
    expect(r.ok && r.attachedWorkerSelectors).toEqual([
      {
        key: "Skill",
        labelOperator: "greaterThan",
        value: 5,
        expiresAfterSeconds: 60,
        expedite: false,
        expiresAt: "2024-01-01T00:01:00.0000000+00:00",
        status: "active",
      },
    ]);
  });

  it("conditional worker selector attachment", async () => {
    const p = policy({
      fallbackQueueId: "q-default",
      workerSelectorAttachments: [
        {
          kind: "conditional",
          condition: expr("job.Tier >= 2"),
          workerSelectors: [{ key: "Senior", labelOperator: "equal", value: true }],
        },
      ],
    });
    const hi = await classify({ labels: { Tier: 2 } }, p, queues, deps());
    const lo = await classify({ labels: { Tier: 1 } }, p, queues, deps());
    expect(hi.ok && hi.attachedWorkerSelectors.map((s) => s.key)).toEqual(["Senior"]);
    expect(lo.ok && lo.attachedWorkerSelectors).toEqual([]);
  });

  it("passThrough worker selector attachment carries its expiry", async () => {
    const p = policy({
      fallbackQueueId: "q-default",
      workerSelectorAttachments: [
        { kind: "passThrough", key: "Language", labelOperator: "equal", expiresAfterSeconds: 5 },
      ],
    });
    const r = await classify({ labels: { Language: "fr" } }, p, queues, deps());
    expect(r.ok && r.attachedWorkerSelectors[0]).toMatchObject({
      key: "Language",
      value: "fr",
      expiresAfterSeconds: 5,
      status: "active",
    });
  });

  it("ruleEngine worker selector attachment with directMap", async () => {
    const p = policy({
      fallbackQueueId: "q-default",
      workerSelectorAttachments: [{ kind: "ruleEngine", rule: { kind: "directMap" } }],
    });
    const r = await classify({ labels: { Language: "fr", Chat: true } }, p, queues, deps());
    expect(r.ok && r.attachedWorkerSelectors.map((s) => [s.key, s.labelOperator, s.value])).toEqual([
      ["Language", "equal", "fr"],
      ["Chat", "equal", true],
    ]);
  });

  it("weightedAllocation worker selector attachment", async () => {
    const p = policy({
      fallbackQueueId: "q-default",
      workerSelectorAttachments: [
        {
          kind: "weightedAllocation",
          allocations: [
            { weight: 0.5, workerSelectors: [{ key: "Team", labelOperator: "equal", value: "A" }] },
            { weight: 0.5, workerSelectors: [{ key: "Team", labelOperator: "equal", value: "B" }] },
          ],
        },
      ],
    });
    const a = await classify({ labels: {} }, p, queues, deps(0.1));
    const b = await classify({ labels: {} }, p, queues, deps(0.9));
    expect(a.ok && a.attachedWorkerSelectors[0]?.value).toBe("A");
    expect(b.ok && b.attachedWorkerSelectors[0]?.value).toBe("B");
  });
});
