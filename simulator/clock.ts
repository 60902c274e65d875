// Virtual time for the simulator: a Clock (the routing core's time source) whose timers sit in a binary heap and fire
// only when `run` pops them. No real timers and no sleeping: a simulated day takes as long as its events take to
// process. Ties fire in the order they were set, so a run is deterministic.

import type { Clock, TimerCallback, TimerHandle } from "../routing/clock";

interface Entry {
  at: number;
  seq: number;
  id: number;
  fn: TimerCallback;
}

export class VirtualClock implements Clock {
  private current: number;
  private heap: Entry[] = [];
  private readonly cancelled = new Set<number>();
  private nextId = 1;
  private seq = 0;
  /** Timers fired so far (a work measure for benchmarks). */
  fired = 0;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(atMs: number, fn: TimerCallback): TimerHandle {
    const e: Entry = { at: Math.max(atMs, this.current), seq: this.seq++, id: this.nextId++, fn };
    this.push(e);
    return { id: e.id };
  }

  clearTimer(handle: TimerHandle): void {
    this.cancelled.add(handle.id);
  }

  dispose(): void {
    this.heap = [];
    this.cancelled.clear();
  }

  /** Fire timers in time order until none is left or the next is after `untilMs`; time ends at the last fired. */
  async run(untilMs: number): Promise<void> {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > untilMs) return;
      this.pop();
      if (this.cancelled.delete(top.id)) continue;
      this.current = top.at;
      this.fired++;
      const r = top.fn();
      if (r instanceof Promise) await r;
    }
  }

  pending(): number {
    return this.heap.length - this.cancelled.size;
  }

  private less(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p] as Entry;
      if (!this.less(e, pe)) break;
      h[i] = pe;
      i = p;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as Entry;
    if (h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r] as Entry, h[l] as Entry) ? r : l;
      if (!this.less(h[c] as Entry, last)) break;
      h[i] = h[c] as Entry;
      i = c;
    }
    h[i] = last;
  }
}
