// Queued jobs in service order, one list per queue. The order is the emulator's (and the service's, as far as it is
// documented): an active `expedite` selector first, then priority (high first), then enqueue time, then arrival
// sequence. Lists are kept sorted on insert so the worker-driven match reads them front to back.

export interface WaitingEntry {
  readonly id: string;
  expedite: boolean;
  priority: number;
  enqueuedAtMs: number;
  /** Monotonic per router: equal times keep arrival order. */
  seq: number;
}

export function serviceOrder(a: WaitingEntry, b: WaitingEntry): number {
  if (a.expedite !== b.expedite) return a.expedite ? -1 : 1;
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.enqueuedAtMs !== b.enqueuedAtMs) return a.enqueuedAtMs - b.enqueuedAtMs;
  return a.seq - b.seq;
}

export class WaitingList<T extends WaitingEntry> {
  private readonly items: T[] = [];

  get length(): number {
    return this.items.length;
  }

  /** Service order; callers must not mutate the array. */
  get entries(): readonly T[] {
    return this.items;
  }

  insert(e: T): void {
    // Binary search for the first item that sorts after e: most arrivals go to the back, so this is cheap.
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (serviceOrder(this.items[mid] as T, e) <= 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, e);
  }

  remove(e: T): boolean {
    const i = this.items.indexOf(e);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }
}
