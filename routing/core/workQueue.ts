// One serial queue for the routing work that may wait on a rule (classification, best-worker scoring): transitions
// themselves are synchronous, so a host's answer reflects the request, and `idle()` tells when everything it caused
// has settled (tests and the simulator wait on it instead of sleeping).

export class WorkQueue {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Run `task` after every task queued before it; errors go to onError, never to the caller. */
  enqueue(task: () => Promise<void> | void): void {
    if (this.closed) return;
    this.pending++;
    this.chain = this.chain
      .then(task)
      .catch(this.onError)
      .finally(() => {
        this.pending--;
        if (this.pending === 0) {
          const w = this.waiters;
          this.waiters = [];
          for (const r of w) r();
        }
      });
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  /** Resolves once no task is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    this.closed = true;
  }
}
