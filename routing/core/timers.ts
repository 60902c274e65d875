// The core's timers, by owner (a job, offer or worker id) and name within it ("sched", "selexp", "close",
// "wait:<rule>" of a job; "offer" of an offer; "retry:<job>" of a worker), so a transition can drop exactly the
// timers it makes pointless. Owner and name stay apart rather than joined into one key string: every transition
// clears a job's timers, mostly ones never armed, and a lookup by the job's own id string (hashed once) is far
// cheaper than building and hashing a fresh key each time.

import type { Clock, TimerHandle } from "../clock";

export class KeyedTimers {
  private readonly byOwner = new Map<string, Map<string, TimerHandle>>();
  private closed = false;

  constructor(
    private readonly clock: Clock,
    /** Runs after each timer's own work (the core waits there for the routing it caused). */
    private readonly after: () => Promise<void>,
  ) {}

  set(owner: string, name: string, atMs: number, fn: () => void): void {
    this.clear(owner, name);
    let timers = this.byOwner.get(owner);
    const handle = this.clock.setTimer(atMs, () => {
      this.forget(owner, name, handle);
      if (this.closed) return;
      fn();
      // A clock that awaits its callbacks (manual, virtual) then sees routing settled before its next timer, as
      // real time would.
      return this.after();
    });
    if (!timers) this.byOwner.set(owner, (timers = new Map()));
    timers.set(name, handle);
  }

  clear(owner: string, name: string): void {
    const timers = this.byOwner.get(owner);
    if (!timers) return;
    const t = timers.get(name);
    if (!t) return;
    this.clock.clearTimer(t);
    timers.delete(name);
    if (timers.size === 0) this.byOwner.delete(owner);
  }

  /** Clear every timer of an owner whose name starts with `prefix` ("wait:"). */
  clearGroup(owner: string, prefix: string): void {
    const timers = this.byOwner.get(owner);
    if (!timers) return;
    for (const [name, t] of [...timers]) {
      if (!name.startsWith(prefix)) continue;
      this.clock.clearTimer(t);
      timers.delete(name);
    }
    if (timers.size === 0) this.byOwner.delete(owner);
  }

  close(): void {
    this.closed = true;
    for (const timers of this.byOwner.values()) for (const t of timers.values()) this.clock.clearTimer(t);
    this.byOwner.clear();
  }

  /** A timer fired: drop its entry (unless the name was armed again meanwhile, which replaced it). */
  private forget(owner: string, name: string, handle: TimerHandle): void {
    const timers = this.byOwner.get(owner);
    if (!timers || timers.get(name) !== handle) return;
    timers.delete(name);
    if (timers.size === 0) this.byOwner.delete(owner);
  }
}
