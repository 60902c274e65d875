// Virtual time for the simulator: a Clock (the routing core's time source) whose timers sit in a binary heap and fire
// only when `run` pops them. No real timers and no sleeping: a simulated day takes as long as its events take to
// process. Ties fire in the order they were set, so a run is deterministic.

import type { Clock, TimerCallback, TimerHandle } from "../routing/clock";

/** A timer's handle, which also says whether it was cleared (a set of cleared ids churned with every clear). */
interface Handle extends TimerHandle {
  cancelled: boolean;
  /** Taken off the heap (fired or skipped). */
  done: boolean;
}

export class VirtualClock implements Clock {
  private current: number;
  // The heap as parallel arrays (due time, set order, handle, callback): its comparisons read two packed number arrays
  // instead of chasing an object per entry, which a run with thousands of pending timers felt.
  private ats: number[] = [];
  private seqs: number[] = [];
  private handles: Handle[] = [];
  private fns: TimerCallback[] = [];
  /** Cleared timers still in the heap. */
  private cancelledCount = 0;
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
    const handle: Handle = { id: this.nextId++, cancelled: false, done: false };
    this.push(Math.max(atMs, this.current), this.seq++, handle, fn);
    return handle;
  }

  clearTimer(handle: TimerHandle): void {
    const h = handle as Handle;
    if (h.cancelled || h.done) return;
    h.cancelled = true;
    this.cancelledCount++;
  }

  dispose(): void {
    this.ats = [];
    this.seqs = [];
    this.handles = [];
    this.fns = [];
    this.cancelledCount = 0;
  }

  /** Fire timers in time order until none is left or the next is after `untilMs`; time ends at the last fired. */
  async run(untilMs: number): Promise<void> {
    for (;;) {
      if (this.ats.length === 0) return;
      const at = this.ats[0] as number;
      if (at > untilMs) return;
      const handle = this.handles[0] as Handle;
      const fn = this.fns[0] as TimerCallback;
      this.pop();
      handle.done = true;
      if (handle.cancelled) {
        this.cancelledCount--;
        continue;
      }
      this.current = at;
      this.fired++;
      const r = fn();
      if (r instanceof Promise) await r;
    }
  }

  pending(): number {
    return this.ats.length - this.cancelledCount;
  }

  /** Whether the entry at heap position i comes before (at, seq). */
  private before(i: number, at: number, seq: number): boolean {
    const ai = this.ats[i] as number;
    return ai < at || (ai === at && (this.seqs[i] as number) < seq);
  }

  private place(i: number, at: number, seq: number, handle: Handle, fn: TimerCallback): void {
    this.ats[i] = at;
    this.seqs[i] = seq;
    this.handles[i] = handle;
    this.fns[i] = fn;
  }

  private move(from: number, to: number): void {
    this.place(
      to,
      this.ats[from] as number,
      this.seqs[from] as number,
      this.handles[from] as Handle,
      this.fns[from] as TimerCallback,
    );
  }

  private push(at: number, seq: number, handle: Handle, fn: TimerCallback): void {
    let i = this.ats.length;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!(at < (this.ats[p] as number) || (at === this.ats[p] && seq < (this.seqs[p] as number)))) break;
      this.move(p, i);
      i = p;
    }
    this.place(i, at, seq, handle, fn);
  }

  /** Remove the first entry. */
  private pop(): void {
    const n = this.ats.length - 1;
    const at = this.ats[n] as number;
    const seq = this.seqs[n] as number;
    const handle = this.handles[n] as Handle;
    const fn = this.fns[n] as TimerCallback;
    this.ats.pop();
    this.seqs.pop();
    this.handles.pop();
    this.fns.pop();
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(r, this.ats[l] as number, this.seqs[l] as number) ? r : l;
      if (!this.before(c, at, seq)) break;
      this.move(c, i);
      i = c;
    }
    this.place(i, at, seq, handle, fn);
  }
}
