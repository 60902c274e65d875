// One serial queue for the routing work that may wait on a rule (classification, best-worker scoring): transitions
// themselves are synchronous, so a host's answer reflects the request, and `idle()` tells when everything it caused
// has settled (tests and the simulator wait on it instead of sleeping).
//
// Tasks run in the order queued, one at a time, starting in a microtask after the code that queued the first of them.
// A task that returns no promise is not awaited: a simulation queues a matching pass per event, and a promise chain
// per task (then, catch, finally) was a large share of its allocations.

export class WorkQueue {
  private readonly tasks: Array<() => Promise<void> | void> = [];
  /** Index of the next task to run in `tasks` (the array is compacted when it drains). */
  private head = 0;
  private running = false;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Run `task` after every task queued before it; errors go to onError, never to the caller. */
  enqueue(task: () => Promise<void> | void): void {
    if (this.closed) return;
    this.tasks.push(task);
    if (!this.running) {
      this.running = true;
      queueMicrotask(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    while (this.head < this.tasks.length) {
      const task = this.tasks[this.head] as () => Promise<void> | void;
      this.tasks[this.head] = undefined as unknown as () => void;
      this.head++;
      try {
        const r = task();
        if (r !== undefined) await r;
      } catch (err) {
        this.onError(err);
      }
    }
    this.tasks.length = 0;
    this.head = 0;
    this.running = false;
    const w = this.waiters;
    if (w.length > 0) {
      this.waiters = [];
      for (const r of w) r();
    }
  }

  get busy(): boolean {
    return this.running;
  }

  /** Resolves once no task is pending. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    this.closed = true;
  }
}
