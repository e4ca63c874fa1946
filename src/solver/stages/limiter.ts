/**
 * Independent blocks (villages, towns) share no person and no gate, so their engine calls
 * may run at once, one per engine thread, while the next block's construction runs here.
 * Submitting waits while `limit` tasks are in flight; drain waits for all of them.
 */
export class TaskLimiter {
  private readonly running = new Set<Promise<void>>();
  constructor(private readonly limit: number) {}

  async submit(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const done: Promise<void> = task().finally(() => this.running.delete(done));
    this.running.add(done);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
  }
}
