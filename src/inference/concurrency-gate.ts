/**
 * At most `limit` calls to one provider at once. Calls waiting for a slot queue by caller (the
 * batches of one request share a caller), and the callers take the free slots in rotation: a
 * request of ten thousand texts gets one slot in turn with every other request, instead of
 * queueing all its batches ahead of a one-text query that came after it.
 */
export class ConcurrencyGate {
  private active = 0;
  /** Callers with calls waiting, in the order they are served next (a Map keeps insertion order). */
  private readonly waiting = new Map<object, (() => void)[]>();

  constructor(private readonly limit: number) {}

  async run<T>(caller: object, task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => {
        const queue = this.waiting.get(caller);
        if (queue) queue.push(resolve);
        else this.waiting.set(caller, [resolve]);
      });
    } else this.active++;
    try {
      return await task();
    } finally {
      this.handOn();
    }
  }

  /** Gives the freed slot to the first waiting caller, who goes to the back of the line if it has more. */
  private handOn(): void {
    const first = this.waiting.entries().next();
    if (first.done) {
      this.active--;
      return;
    }
    const [caller, queue] = first.value;
    const next = queue.shift()!;
    this.waiting.delete(caller);
    if (queue.length > 0) this.waiting.set(caller, queue);
    next();
  }

  /** Callers waiting for a slot, for tests and diagnostics. */
  get callersWaiting(): number {
    return this.waiting.size;
  }
}
