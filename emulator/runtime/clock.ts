// The emulator's real-time clock. The Clock interface, the manual test clock and the service's time formats are in
// the routing core (routing/clock.ts).

import type { Clock, TimerCallback, TimerHandle } from "../../routing/clock";

/** Real time, real timers. Timers are unref'd so a forgotten one never keeps the process alive. */
export class SystemClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();
  private readonly onError: (err: unknown) => void;
  private readonly nowFn: () => number;

  /** `now` lets the emulator's own clock (which may be offset in tests) stay the one source of time. */
  constructor(onError?: (err: unknown) => void, now?: () => number) {
    this.onError = onError ?? (() => undefined);
    this.nowFn = now ?? Date.now;
  }

  now(): number {
    return this.nowFn();
  }

  setTimer(atMs: number, fn: TimerCallback): TimerHandle {
    const id = this.nextId++;
    // setTimeout caps at ~24.8 days; re-arm in steps for far-future times (scheduled jobs).
    const MAX_DELAY = 2_000_000_000;
    const arm = (): void => {
      const delay = Math.max(0, atMs - this.nowFn());
      const t = setTimeout(
        () => {
          if (atMs - this.nowFn() > 0) {
            arm();
            return;
          }
          this.timers.delete(id);
          try {
            const r = fn();
            if (r instanceof Promise) r.catch(this.onError);
          } catch (err) {
            this.onError(err);
          }
        },
        Math.min(delay, MAX_DELAY),
      );
      t.unref();
      this.timers.set(id, t);
    };
    arm();
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) clearTimeout(t);
    this.timers.delete(handle.id);
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
