import { describe, expect, it } from "vitest";
import { ManualClock } from "../../routing/clock";
import {
  buildEvent,
  EventFeed,
  eventName,
  jobSubject,
  offerSubject,
  WebhookDelivery,
} from "../../emulator/runtime/events";
import type { HttpCaller, HttpRequest } from "../../routing/rules";

const t0 = Date.parse("2024-01-01T00:00:00Z");

describe("events", () => {
  it("builds the Event Grid envelope", () => {
    const e = buildEvent(
      "RouterJobQueued",
      jobSubject("j1", "chat"),
      { jobId: "j1" },
      { nowMs: t0, topic: "/emulator", id: "id-1" },
    );
    expect(e).toEqual({
      id: "id-1",
      topic: "/emulator",
      subject: "job/j1/channel/chat",
      data: { jobId: "j1" },
      eventType: "Microsoft.Communication.RouterJobQueued",
      dataVersion: "1.0",
      metadataVersion: "1",
      eventTime: "2024-01-01T00:00:00.000Z",
    });
    expect(eventName(e)).toBe("RouterJobQueued");
    expect(offerSubject("w", "j", "c")).toBe("worker/w/job/j/channel/c");
  });

  it("the feed keeps order, filters by name, and waitFor resolves for past and future events", async () => {
    const feed = new EventFeed();
    feed.publish(buildEvent("RouterJobReceived", "s", {}, { nowMs: t0, topic: "t" }));
    const past = await feed.waitFor((e) => eventName(e) === "RouterJobReceived");
    expect(past.eventType).toBe("Microsoft.Communication.RouterJobReceived");
    const future = feed.waitFor((e) => eventName(e) === "RouterJobQueued");
    feed.publish(buildEvent("RouterJobQueued", "s", {}, { nowMs: t0, topic: "t" }));
    expect((await future).eventType).toBe("Microsoft.Communication.RouterJobQueued");
    expect(feed.names()).toEqual(["RouterJobReceived", "RouterJobQueued"]);
    expect(feed.events("RouterJobQueued")).toHaveLength(1);
  });

  it("webhook delivery posts an array with the Event Grid header and retries failures with backoff", async () => {
    const clock = new ManualClock(t0);
    const calls: Array<{ req: HttpRequest; at: number }> = [];
    let failuresLeft = 2;
    const http: HttpCaller = async (req) => {
      calls.push({ req, at: clock.now() });
      if (failuresLeft > 0) {
        failuresLeft--;
        return { status: 503, body: "" };
      }
      return { status: 200, body: "" };
    };
    const d = new WebhookDelivery({ urls: ["http://hook.example/events"], http, clock, initialBackoffMs: 100 });
    d.deliver(buildEvent("RouterWorkerOfferIssued", "s", { offerId: "o" }, { nowMs: t0, topic: "t" }));
    await new Promise((r) => setImmediate(r));
    expect(calls).toHaveLength(1);
    await clock.advance(100);
    await new Promise((r) => setImmediate(r));
    await clock.advance(200);
    await d.idle();
    expect(calls.map((c) => c.at - t0)).toEqual([0, 100, 300]);
    expect(d.stats).toEqual({ delivered: 1, failedAttempts: 2, abandoned: 0 });
    expect(calls[0]?.req.headers["aeg-event-type"]).toBe("Notification");
    const body = JSON.parse(calls[2]?.req.body ?? "[]") as Array<{ data: { offerId: string } }>;
    expect(body[0]?.data.offerId).toBe("o");
  });

  it("webhook delivery gives up after maxAttempts", async () => {
    const clock = new ManualClock(t0);
    const http: HttpCaller = () => Promise.reject(new Error("refused"));
    const errors: string[] = [];
    const d = new WebhookDelivery({
      urls: ["http://down.example/x?sig=secret"],
      http,
      clock,
      maxAttempts: 2,
      initialBackoffMs: 10,
      onError: (m) => errors.push(m),
    });
    d.deliver(buildEvent("RouterJobClosed", "s", {}, { nowMs: t0, topic: "t" }));
    await new Promise((r) => setImmediate(r));
    await clock.advance(10);
    await d.idle();
    expect(d.stats).toEqual({ delivered: 0, failedAttempts: 2, abandoned: 1 });
    expect(errors[0]).toContain("abandoned after 2");
    expect(errors[0]).not.toContain("secret");
  });
});

describe("manual clock", () => {
  it("fires timers in due order only when advanced, including timers set while firing", async () => {
    const clock = new ManualClock(t0);
    const fired: string[] = [];
    clock.setTimer(t0 + 200, () => void fired.push("b"));
    clock.setTimer(t0 + 100, () => {
      fired.push("a");
      clock.setTimer(t0 + 150, () => void fired.push("a2"));
    });
    const cancelled = clock.setTimer(t0 + 120, () => void fired.push("x"));
    clock.clearTimer(cancelled);
    expect(fired).toEqual([]);
    await clock.advance(199);
    expect(fired).toEqual(["a", "a2"]);
    await clock.advance(1);
    expect(fired).toEqual(["a", "a2", "b"]);
    expect(clock.now()).toBe(t0 + 200);
    expect(clock.pendingCount()).toBe(0);
  });
});
