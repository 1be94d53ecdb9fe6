/**
 * Runs queued jobs one per turn of the event loop (setImmediate), so that I/O waiting meanwhile,
 * such as a health check, is served between two of them: several large request bodies that arrive
 * together are parsed one after another with the loop free in between, instead of back to back in
 * one phase that holds every other request until the last is done.
 */
export class OnePerTurn {
  private readonly jobs: (() => void)[] = [];
  private scheduled = false;

  /** Queues `job`, which handles its own errors (a throw would still not stop the jobs after it). */
  run(job: () => void): void {
    this.jobs.push(job);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.jobs.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const job = this.jobs.shift()!;
      try {
        job();
      } finally {
        this.schedule();
      }
    });
  }
}
