import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addWorker, setupQueue, startHarness, type Harness } from "./runtime-harness";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
  await setupQueue(h, { queueId: "XBOX_DEFAULT_QUEUE" });
  await setupQueue(h, { queueId: "XBOX_NA_QUEUE", labels: { Region: "NA" } });
});
afterEach(async () => {
  await h.close();
});

// A local "Azure Function" that decides a priority from the job's labels.
let fn: Server;
let fnUrl: string;
const fnCalls: Array<{ key: string | undefined; body: unknown }> = [];
beforeAll(async () => {
  fn = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (!(req.url ?? "").startsWith("/api/priority")) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const parsed = JSON.parse(body) as { job: { urgent?: boolean } };
      fnCalls.push({ key: req.headers["x-functions-key"] as string | undefined, body: parsed });
      res.end(JSON.stringify(parsed.job.urgent ? 10 : 5));
    });
  });
  await new Promise<void>((r) => fn.listen(0, "127.0.0.1", r));
  fnUrl = `http://127.0.0.1:${(fn.address() as AddressInfo).port}/api/priority`;
});
afterAll(async () => {
  await new Promise<void>((r) => fn.close(() => r()));
});

describe("classification over HTTP", () => {
  it("an expression rule selects the queue, sets the priority and attaches worker selectors (docs example)", async () => {
    await h.client.upsertClassificationPolicy("XBOX_NA_QUEUE_Priority_1_10", {
      name: "Select XBOX Queue and set priority to 1 or 10",
      queueSelectorAttachments: [
        {
          kind: "conditional",
          condition: { kind: "expression", expression: 'job.Region = "NA"' },
          queueSelectors: [{ key: "Id", labelOperator: "equal", value: "XBOX_NA_QUEUE" }],
        },
      ],
      fallbackQueueId: "XBOX_DEFAULT_QUEUE",
      prioritizationRule: { kind: "expression", expression: "If(job.Hardware_VIP = true, 10, 1)" },
      workerSelectorAttachments: [{ kind: "passThrough", key: "Language", labelOperator: "equal" }],
    });
    await h.client.upsertJob("na", {
      channelId: "voice",
      classificationPolicyId: "XBOX_NA_QUEUE_Priority_1_10",
      labels: { Region: "NA", Hardware_VIP: true, Language: "en" },
    });
    await h.client.upsertJob("eu", {
      channelId: "voice",
      classificationPolicyId: "XBOX_NA_QUEUE_Priority_1_10",
      labels: { Region: "EU" },
    });
    const na = await h.client.getJob("na");
    expect(na).toMatchObject({ status: "queued", queueId: "XBOX_NA_QUEUE", priority: 10 });
    expect(na.attachedWorkerSelectors).toEqual([
      { key: "Language", labelOperator: "equal", value: "en", expedite: false, status: "active" },
    ]);
    expect(await h.client.getJob("eu")).toMatchObject({ status: "queued", queueId: "XBOX_DEFAULT_QUEUE", priority: 1 });
    const classified = h.events("RouterJobClassified").find((e) => e.data["jobId"] === "na");
    expect(classified?.data).toMatchObject({
      queueDetails: { id: "XBOX_NA_QUEUE" },
      priority: 10,
      classificationPolicyId: "XBOX_NA_QUEUE_Priority_1_10",
    });
  });

  it("attached worker selectors constrain matching", async () => {
    await h.client.upsertClassificationPolicy("cp", {
      fallbackQueueId: "XBOX_DEFAULT_QUEUE",
      workerSelectorAttachments: [
        { kind: "static", workerSelector: { key: "Skill", labelOperator: "greaterThanOrEqual", value: 5 } },
      ],
    });
    await addWorker(h, "novice", {
      queues: ["XBOX_DEFAULT_QUEUE"],
      labels: { Skill: 3 },
      channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
    });
    await addWorker(h, "expert", {
      queues: ["XBOX_DEFAULT_QUEUE"],
      labels: { Skill: 8 },
      channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
    });
    await h.client.upsertJob("j", { channelId: "voice", classificationPolicyId: "cp" });
    expect((await h.client.getWorker("expert")).offers?.map((o) => o.jobId)).toEqual(["j"]);
    expect((await h.client.getWorker("novice")).offers).toEqual([]);
  });

  it("a function prioritization rule is called over HTTP with x-functions-key", async () => {
    fnCalls.length = 0;
    await h.client.upsertClassificationPolicy("fn", {
      fallbackQueueId: "XBOX_DEFAULT_QUEUE",
      prioritizationRule: { kind: "function", functionUri: fnUrl, credential: { functionKey: "the-function-key" } },
    });
    await h.client.upsertJob("urgent", { channelId: "voice", classificationPolicyId: "fn", labels: { urgent: true } });
    expect((await h.client.getJob("urgent")).priority).toBe(10);
    expect(fnCalls).toEqual([{ key: "the-function-key", body: { job: { urgent: true } } }]);
  });

  it("a failing rule gives classificationFailed and RouterJobClassificationFailed with the error", async () => {
    await h.client.upsertClassificationPolicy("broken", {
      fallbackQueueId: "XBOX_DEFAULT_QUEUE",
      prioritizationRule: { kind: "expression", expression: 'job.Tier + "x"' },
    });
    await h.client.upsertJob("j", { channelId: "voice", classificationPolicyId: "broken", labels: { Tier: 1 } });
    expect((await h.client.getJob("j")).status).toBe("classificationFailed");
    const ev = h.events("RouterJobClassificationFailed")[0];
    expect(ev?.data["errors"]).toEqual([expect.objectContaining({ code: "ExpressionRuleFailed" })]);
  });

  it("a failing function rule fails classification without revealing its key or query string", async () => {
    const logs: string[] = [];
    await h.close();
    h = await startHarness({ log: (m) => logs.push(m) });
    await setupQueue(h, { queueId: "XBOX_DEFAULT_QUEUE" });
    await h.client.upsertClassificationPolicy("secretive", {
      fallbackQueueId: "XBOX_DEFAULT_QUEUE",
      prioritizationRule: {
        kind: "function",
        functionUri: `${fnUrl.replace("/api/priority", "/api/missing")}?code=query-secret-123`,
        credential: { functionKey: "header-secret-456" },
      },
    });
    fnCalls.length = 0;
    await h.client.upsertJob("j", { channelId: "voice", classificationPolicyId: "secretive", labels: {} });
    expect((await h.client.getJob("j")).status).toBe("classificationFailed");
    const everything = JSON.stringify(h.events()) + logs.join("\n");
    expect(everything).toContain("functionRuleCallFailed");
    expect(everything).not.toContain("query-secret-123");
    expect(everything).not.toContain("header-secret-456");
  });

  it("no queue at all gives classificationFailed", async () => {
    await h.client.upsertClassificationPolicy("none", {
      queueSelectorAttachments: [
        { kind: "static", queueSelector: { key: "Region", labelOperator: "equal", value: "MARS" } },
      ],
    });
    await h.client.upsertJob("j", { channelId: "voice", classificationPolicyId: "none" });
    expect((await h.client.getJob("j")).status).toBe("classificationFailed");
  });

  it("weightedAllocation uses the injected randomness (0 picks the first allocation)", async () => {
    await h.client.upsertClassificationPolicy("wa", {
      queueSelectorAttachments: [
        {
          kind: "weightedAllocation",
          allocations: [
            { weight: 0.5, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "XBOX_NA_QUEUE" }] },
            { weight: 0.5, queueSelectors: [{ key: "Id", labelOperator: "equal", value: "XBOX_DEFAULT_QUEUE" }] },
          ],
        },
      ],
    });
    await h.client.upsertJob("j", { channelId: "voice", classificationPolicyId: "wa" });
    expect((await h.client.getJob("j")).queueId).toBe("XBOX_NA_QUEUE");
  });
});
