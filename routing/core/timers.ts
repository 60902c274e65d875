// The core's timers by key ("offer:<id>", "wait:<job>:<rule>", "selexp:<job>", "sched:<job>", "close:<job>",
// "retry:<worker>:<job>"), so a transition can drop exactly the timers it makes pointless.

import type { Clock, TimerHandle } from "../clock";

/** A timer key's group: up to its second colon ("wait:job:rule" → "wait:job"), so a job's timers clear together. */
function groupOf(key: string): string {
  const i = key.indexOf(":", key.indexOf(":") + 1);
  return i < 0 ? key : key.slice(0, i);
}

export class KeyedTimers {
  private readonly timers = new Map<string, TimerHandle>();
  /** Keys by group: clearing a job's waitTime timers must not scan every other job's. */
  private readonly byGroup = new Map<string, Set<string>>();
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
    const group = groupOf(key);
    let keys = this.byGroup.get(group);
    if (!keys) this.byGroup.set(group, (keys = new Set()));
    keys.add(key);
  }

  clear(key: string): void {
    const t = this.timers.get(key);
    if (!t) return;
    this.clock.clearTimer(t);
    this.forget(key);
  }

  /** Clear every timer of a group, given as its prefix ("wait:<job>:"). */
  clearGroup(prefix: string): void {
    const keys = this.byGroup.get(groupOf(prefix));
    if (!keys) return;
    for (const key of [...keys]) if (key.startsWith(prefix)) this.clear(key);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) this.clock.clearTimer(t);
    this.timers.clear();
    this.byGroup.clear();
  }

  private forget(key: string): void {
    this.timers.delete(key);
    const group = groupOf(key);
    const keys = this.byGroup.get(group);
    keys?.delete(key);
    if (keys?.size === 0) this.byGroup.delete(group);
  }
}
