// Router events in the Event Grid schema, an in-process feed for tests, and webhook delivery with
// retries.
//
// Envelope: {id, topic, subject, data, eventType: "Microsoft.Communication.<Name>", dataVersion "1.0",
// metadataVersion "1", eventTime}. Subjects follow the Event Grid catalog: jobs
// `job/{jobId}/channel/{channelId}`, offers `worker/{workerId}/job/{jobId}/channel/{channelId}`,
// worker registration `worker/{workerId}`. Delivery POSTs a JSON array of events with the
// `aeg-event-type: Notification` header, as Event Grid does; failures are retried with exponential
// backoff on the runtime's clock.

import { randomUUID } from "node:crypto";
import type { Clock } from "../../routing/clock";
import type { HttpCaller } from "../../routing/rules";
import { ROUTER_EVENT_NAMES, type RouterEventName } from "../../provider/client/models";

export { ROUTER_EVENT_NAMES as ROUTER_EVENT_TYPES, type RouterEventName };

export interface RouterEvent {
  id: string;
  topic: string;
  subject: string;
  data: Record<string, unknown>;
  eventType: `Microsoft.Communication.${RouterEventName}`;
  dataVersion: "1.0";
  metadataVersion: "1";
  eventTime: string;
}

/** The short name of an event (`RouterJobQueued`). */
export function eventName(e: RouterEvent): RouterEventName {
  return e.eventType.slice("Microsoft.Communication.".length) as RouterEventName;
}

/** The last eventTime formatted: a job raises several events in the same millisecond. */
let lastEventMs = Number.NaN;
let lastEventTime = "";

function eventTime(nowMs: number): string {
  if (nowMs !== lastEventMs) {
    lastEventTime = new Date(nowMs).toISOString();
    lastEventMs = nowMs;
  }
  return lastEventTime;
}

export function buildEvent(
  name: RouterEventName,
  subject: string,
  data: Record<string, unknown>,
  opts: { nowMs: number; topic: string; id?: string },
): RouterEvent {
  return {
    id: opts.id ?? randomUUID(),
    topic: opts.topic,
    subject,
    data,
    eventType: `Microsoft.Communication.${name}`,
    dataVersion: "1.0",
    metadataVersion: "1",
    eventTime: eventTime(opts.nowMs),
  };
}

export const jobSubject = (jobId: string, channelId: string | undefined): string =>
  `job/${jobId}/channel/${channelId ?? ""}`;
export const offerSubject = (workerId: string, jobId: string, channelId: string | undefined): string =>
  `worker/${workerId}/job/${jobId}/channel/${channelId ?? ""}`;
export const workerSubject = (workerId: string): string => `worker/${workerId}`;

type Listener = (e: RouterEvent) => void;

/** Every event the runtime raised, in order, with subscription and promise-based waiting for tests. */
export class EventFeed {
  /** The kept events are log[start..]: dropping the oldest moves `start`, not every element (see publish). */
  private readonly log: RouterEvent[] = [];
  private start = 0;
  private readonly listeners = new Set<Listener>();
  private readonly cap: number;

  constructor(cap = 10_000) {
    this.cap = cap;
  }

  publish(e: RouterEvent): void {
    this.log.push(e);
    // Once full, shifting the array on every event cost O(cap) per event; the dropped head is cut off in one go
    // once it is as long as the kept part.
    if (this.log.length - this.start > this.cap) this.start = this.log.length - this.cap;
    if (this.start >= this.cap) {
      this.log.splice(0, this.start);
      this.start = 0;
    }
    // The listeners subscribed when the event is published, whatever they (un)subscribe meanwhile; with one or none,
    // without copying the set for every event.
    if (this.listeners.size === 0) return;
    if (this.listeners.size === 1) {
      for (const l of this.listeners) {
        l(e);
        break;
      }
      return;
    }
    for (const l of [...this.listeners]) l(e);
  }

  /** A copy of the events so far, optionally only those of the given names. */
  events(...names: RouterEventName[]): RouterEvent[] {
    const kept = this.log.slice(this.start);
    return names.length === 0 ? kept : kept.filter((e) => names.includes(eventName(e)));
  }

  names(): RouterEventName[] {
    return this.log.slice(this.start).map(eventName);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolve with the first event (already seen or future) matching `predicate`. No timeout here: a
   * test that awaits an event that never comes fails by the test runner's own timeout.
   */
  waitFor(predicate: (e: RouterEvent) => boolean): Promise<RouterEvent> {
    let seen: RouterEvent | undefined;
    for (let i = this.start; i < this.log.length && seen === undefined; i++) {
      const e = this.log[i];
      if (e !== undefined && predicate(e)) seen = e;
    }
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const off = this.subscribe((e) => {
        if (predicate(e)) {
          off();
          resolve(e);
        }
      });
    });
  }

  clear(): void {
    this.log.length = 0;
    this.start = 0;
  }
}

export interface DeliveryOptions {
  urls: readonly string[];
  http: HttpCaller;
  clock: Clock;
  /** Attempts per event and URL, including the first. Default 5. */
  maxAttempts?: number;
  /** First retry delay; doubles each time. Default 1000 ms. */
  initialBackoffMs?: number;
  onError?: (message: string) => void;
}

export interface DeliveryStats {
  delivered: number;
  failedAttempts: number;
  abandoned: number;
}

/** Pushes events to webhook URLs, retrying failures with exponential backoff. */
export class WebhookDelivery {
  readonly stats: DeliveryStats = { delivered: 0, failedAttempts: 0, abandoned: 0 };
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly opts: DeliveryOptions) {}

  deliver(e: RouterEvent): void {
    if (this.closed) return;
    for (const url of this.opts.urls) this.attempt(url, e, 1);
  }

  /** Resolves once no delivery attempt is in flight (scheduled retries run when the clock reaches them). */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  close(): void {
    this.closed = true;
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const r of w) r();
    }
  }

  private attempt(url: string, e: RouterEvent, n: number): void {
    this.inFlight++;
    const max = this.opts.maxAttempts ?? 5;
    const run = async (): Promise<void> => {
      let ok = false;
      try {
        const res = await this.opts.http({
          method: "POST",
          url,
          headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
          body: JSON.stringify([e]),
        });
        ok = res.status >= 200 && res.status < 300;
      } catch {
        ok = false;
      }
      if (ok) {
        this.stats.delivered++;
      } else {
        this.stats.failedAttempts++;
        if (n < max && !this.closed) {
          const delay = (this.opts.initialBackoffMs ?? 1000) * 2 ** (n - 1);
          // A scheduled retry is not "in flight": idle() must not wait for the clock to move.
          this.opts.clock.setTimer(this.opts.clock.now() + delay, () => this.attempt(url, e, n + 1));
        } else {
          this.stats.abandoned++;
          this.opts.onError?.(`event ${e.eventType} ${e.id} to ${safeUrl(url)} abandoned after ${n} attempt(s)`);
        }
      }
      this.settle();
    };
    void run();
  }
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "<invalid url>";
  }
}
