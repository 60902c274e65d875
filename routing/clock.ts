// Injectable time for the routing core (the emulator supplies a real-time clock).
//
// Everything time-based in routing (offer expiry, worker-selector expiry, waitTime exception triggers,
// scheduled jobs, `closeAt`, webhook retries) goes through a Clock so that tests can move time by hand
// instead of sleeping. The system clock uses real timers; the manual clock only fires timers when a
// test calls `advance`, in due-time order, awaiting each callback so async routing work settles
// before the next timer runs.

export type TimerCallback = () => void | Promise<void>;

export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run `fn` once at `atMs` (epoch milliseconds). A time in the past fires as soon as possible. */
  setTimer(atMs: number, fn: TimerCallback): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /** Stop every pending timer; used on shutdown. */
  dispose(): void;
}

interface PendingTimer {
  id: number;
  at: number;
  seq: number;
  fn: TimerCallback;
}

/** Test clock: time stands still until `advance`/`advanceTo`/`runDue` is called. */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private seq = 0;
  private readonly pending = new Map<number, PendingTimer>();

  constructor(startMs: number = Date.parse("2024-01-01T00:00:00.000Z")) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(atMs: number, fn: TimerCallback): TimerHandle {
    const id = this.nextId++;
    this.pending.set(id, { id, at: atMs, seq: this.seq++, fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.pending.delete(handle.id);
  }

  dispose(): void {
    this.pending.clear();
  }

  /** Number of timers not yet fired (for assertions about cleanup). */
  pendingCount(): number {
    return this.pending.size;
  }

  /** Fire every timer due at or before the current time, including ones scheduled while firing. */
  async runDue(): Promise<void> {
    await this.advanceTo(this.current);
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  /** Move time forward to `targetMs`, firing timers in (due time, creation order) order. */
  async advanceTo(targetMs: number): Promise<void> {
    for (;;) {
      let next: PendingTimer | undefined;
      for (const t of this.pending.values()) {
        if (t.at <= targetMs && (!next || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
      }
      if (!next) break;
      this.pending.delete(next.id);
      if (next.at > this.current) this.current = next.at;
      await next.fn();
    }
    if (targetMs > this.current) this.current = targetMs;
  }
}

/**
 * The service's timestamp format for job fields such as `enqueuedAt`: 7 fractional digits and an
 * explicit `+00:00` offset (e.g. `2023-11-15T00:05:12.7032354+00:00`). We only have milliseconds, so
 * the last four digits are zero.
 */
let lastFormattedMs = Number.NaN;
let lastFormatted = "";
/** The date and time up to the seconds ("2023-11-15T00:05:12") of the second last formatted. */
let lastSecondMs = Number.NaN;
let lastSecondPrefix = "";
/** Years 0000-9999: toISOString's fixed-width form, the only one the per-second shortcut below reproduces. */
const MAX_FIXED_MS = 253402300799999;
const MS_DIGITS = ["00", "0", ""];
/** The calendar date ("2023-11-15T") of the day last formatted, and "00".."59". */
let lastDayMs = Number.NaN;
let lastDayPrefix = "";
const TWO = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));

export function formatServiceTime(ms: number): string {
  // One transition stamps several fields with the same instant (offeredAt and expiresAt, assignedAt, enqueuedAt).
  if (ms === lastFormattedMs) return lastFormatted;
  lastFormattedMs = ms;
  if (ms >= 0 && ms <= MAX_FIXED_MS) {
    // A simulation formats hundreds of thousands of stamps: the calendar part is worked out once per second. (A Date
    // drops the fraction of a millisecond: virtual time has one.)
    const whole = Math.floor(ms);
    const frac = whole % 1000;
    const second = whole - frac;
    if (second !== lastSecondMs) {
      lastSecondMs = second;
      const inDay = second % 86_400_000;
      const day = second - inDay;
      if (day !== lastDayMs) {
        lastDayMs = day;
        lastDayPrefix = new Date(day).toISOString().slice(0, 11); // 2023-11-15T
      }
      const s = inDay / 1000;
      lastSecondPrefix = `${lastDayPrefix}${TWO[Math.floor(s / 3600)]}:${TWO[Math.floor(s / 60) % 60]}:${TWO[s % 60]}`;
    }
    const digits = String(frac);
    lastFormatted = `${lastSecondPrefix}.${MS_DIGITS[digits.length - 1] ?? ""}${digits}0000+00:00`;
    return lastFormatted;
  }
  const iso = new Date(ms).toISOString(); // 2023-11-15T00:05:12.703Z
  lastFormatted = `${iso.slice(0, 23)}0000+00:00`;
  return lastFormatted;
}

/** Parse a client-supplied date-time; returns undefined when it is not a valid date. */
export function parseDateTime(value: unknown): number | undefined {
  if (typeof value !== "string" || value.length === 0) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
