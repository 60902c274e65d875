import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator";
import { JobRouterClient } from "../../provider/client";
import { addWorker, setupQueue, startHarness, type Harness } from "./runtime-harness";

interface Delivery {
  eventType: string;
  header: string | undefined;
}

async function eventSink(
  failFirst: number,
): Promise<{ server: Server; url: string; received: Delivery[]; attempts: () => number }> {
  const received: Delivery[] = [];
  let attempts = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      attempts++;
      if (attempts <= failFirst) {
        res.statusCode = 503;
        res.end();
        return;
      }
      for (const e of JSON.parse(body) as Array<{ eventType: string }>)
        received.push({ eventType: e.eventType, header: req.headers["aeg-event-type"] as string | undefined });
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    received,
    attempts: () => attempts,
  };
}

let h: Harness | undefined;
let sink: Server | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
  if (sink) await new Promise<void>((r) => sink?.close(() => r()));
  sink = undefined;
});

describe("event delivery", () => {
  it("delivers Event Grid events to the start-up webhook, retrying a failed delivery", async () => {
    const s = await eventSink(1);
    sink = s.server;
    h = await startHarness({ eventWebhooks: [s.url], webhookInitialBackoffMs: 1000 });
    await setupQueue(h);
    await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    await h.runtime.idle();
    // The first POST failed (503); its retry waits for the runtime clock.
    expect(s.received).toHaveLength(1);
    expect(s.attempts()).toBe(2);
    await h.advance(1000);
    expect(s.received.map((d) => d.eventType).sort()).toEqual([
      "Microsoft.Communication.RouterJobQueued",
      "Microsoft.Communication.RouterJobReceived",
    ]);
    expect(s.received.every((d) => d.header === "Notification")).toBe(true);
    expect(h.runtime.engine.delivery?.stats).toEqual({ delivered: 2, failedAttempts: 1, abandoned: 0 });
  });

  it("the in-process feed carries every job and worker event in order", async () => {
    h = await startHarness();
    await setupQueue(h);
    await addWorker(h, "w1");
    await h.client.upsertJob("j", { channelId: "chat", queueId: "q1" });
    const offer = (await h.client.getWorker("w1")).offers?.[0];
    const a = await h.client.acceptJobOffer("w1", offer?.offerId ?? "");
    await h.client.completeJob("j", a.assignmentId);
    await h.client.closeJob("j", a.assignmentId);
    expect(h.names()).toEqual([
      "RouterWorkerRegistered",
      "RouterJobReceived",
      "RouterJobQueued",
      "RouterWorkerOfferIssued",
      "RouterWorkerOfferAccepted",
      "RouterJobCompleted",
      "RouterJobClosed",
    ]);
    const e = h.events()[1];
    expect(e).toMatchObject({
      topic: "/emulator/jobrouter",
      subject: "job/j/channel/chat",
      dataVersion: "1.0",
      metadataVersion: "1",
    });
    expect(e?.data).toMatchObject({
      jobId: "j",
      // The job is received as created (fact 3: a direct-queue job is "created" until it is queued).
      jobStatus: "Created",
      channelId: "chat",
      queueId: "q1",
      unavailableForMatching: false,
    });
  });
});

describe("startEmulator integration", () => {
  it("the real emulator routes a job end to end with the default (system) clock", async () => {
    const emu = await startEmulator();
    try {
      const client = JobRouterClient.fromConnectionString(emu.connectionString, { retryOptions: { maxRetries: 0 } });
      await client.upsertDistributionPolicy("dp", { offerExpiresAfterSeconds: 300, mode: { kind: "longestIdle" } });
      await client.upsertQueue("q", { distributionPolicyId: "dp" });
      await client.upsertJob("j", {
        channelId: "voice",
        queueId: "q",
        requestedWorkerSelectors: [{ key: "Skill", labelOperator: "greaterThan", value: 3 }],
      });
      await client.upsertWorker("w", {
        queues: ["q"],
        capacity: 1,
        labels: { Skill: 5 },
        channels: [{ channelId: "voice", capacityCostPerJob: 1 }],
        availableForOffers: true,
      });
      const offer = (await client.getWorker("w")).offers?.[0];
      expect(offer?.jobId).toBe("j");
      const a = await client.acceptJobOffer("w", offer?.offerId ?? "");
      await client.completeJob("j", a.assignmentId);
      await client.closeJob("j", a.assignmentId);
      expect((await client.getJob("j")).status).toBe("closed");
      expect((await client.getWorker("w")).assignedJobs).toEqual([]);
    } finally {
      await emu.close();
    }
  });
});
