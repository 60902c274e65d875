// One serial queue for the routing work that may wait on a rule (classification, best-worker scoring): transitions
// themselves are synchronous, so a host's answer reflects the request, and `idle()` tells when everything it caused
// has settled (tests and the simulator wait on it instead of sleeping).
//
// Tasks run in the order queued, one at a time, starting in a microtask after the code that queued the first of them.
// A task that returns no promise is not awaited: a simulation queues a matching pass per event, and a promise chain
// per task (then, catch, finally) was a large share of its allocations.

type Task = () => Promise<void> | void;

export class WorkQueue {
  /** Tasks in order; `head` is the next to run. Slots are cleared as they run and the array keeps its capacity. */
  private readonly tasks: Array<Task | undefined> = [];
  private head = 0;
  private tail = 0;
  private running = false;
  private waiters: Array<() => void> = [];
  private closed = false;
  private readonly start = (): void => this.drain();
  private readonly resumed = (): void => this.drain();
  private readonly failed = (err: unknown): void => {
    this.onError(err);
    this.drain();
  };

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Run `task` after every task queued before it; errors go to onError, never to the caller. */
  enqueue(task: Task): void {
    if (this.closed) return;
    this.tasks[this.tail++] = task;
    if (!this.running) {
      this.running = true;
      queueMicrotask(this.start);
    }
  }

  /** Run tasks until one has to wait (it resumes the queue when done) or none is left. */
  private drain(): void {
    const tasks = this.tasks;
    while (this.head < this.tail) {
      const task = tasks[this.head] as Task;
      tasks[this.head] = undefined;
      this.head++;
      let r: Promise<void> | void;
      try {
        r = task();
      } catch (err) {
        this.onError(err);
        continue;
      }
      if (r !== undefined) {
        r.then(this.resumed, this.failed);
        return;
      }
    }
    this.head = 0;
    this.tail = 0;
    this.running = false;
    const w = this.waiters;
    if (w.length > 0) {
      this.waiters = [];
      for (const resolve of w) resolve();
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
