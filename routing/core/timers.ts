// The core's timers by key ("offer:<id>", "wait:<job>:<rule>", "selexp:<job>", "sched:<job>", "close:<job>",
// "retry:<worker>:<job>"), so a transition can drop exactly the timers it makes pointless.

import type { Clock, TimerHandle } from "../clock";

/** A timer key's kind: the part before its first colon ("wait:job:rule" → "wait"). */
function kindOf(key: string): string {
  const i = key.indexOf(":");
  return i < 0 ? key : key.slice(0, i);
}

export class KeyedTimers {
  private readonly timers = new Map<string, TimerHandle>();
  /** Keys by kind: clearing a job's waitTime timers must not scan one timer per outstanding offer. */
  private readonly byKind = new Map<string, Set<string>>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    /** Runs after each timer's own work (the core waits there for the routing it caused). */
    private readonly after: () => Promise<void>,
  ) {}

  set(key: string, atMs: number, fn: () => void): void {
    this.clear(key);
    const handle = this.clock.setTimer(atMs, () => {
      this.forget(key);
      if (this.closed) return;
      fn();
      // A clock that awaits its callbacks (manual, virtual) then sees routing settled before its next timer, as
      // real time would.
      return this.after();
    });
    this.timers.set(key, handle);
    let keys = this.byKind.get(kindOf(key));
    if (!keys) this.byKind.set(kindOf(key), (keys = new Set()));
    keys.add(key);
  }

  clear(key: string): void {
    const t = this.timers.get(key);
    if (!t) return;
    this.clock.clearTimer(t);
    this.forget(key);
  }

  /** Clear every timer whose key starts with `prefix` (which must include its kind's colon). */
  clearPrefix(prefix: string): void {
    const keys = this.byKind.get(kindOf(prefix));
    if (!keys) return;
    for (const key of [...keys]) if (key.startsWith(prefix)) this.clear(key);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) this.clock.clearTimer(t);
    this.timers.clear();
    this.byKind.clear();
  }

  private forget(key: string): void {
    this.timers.delete(key);
    this.byKind.get(kindOf(key))?.delete(key);
  }
}
