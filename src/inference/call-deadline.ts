/**
 * One provider call's time limit, aborted too when the request gives the call up. Its timer is a
 * setTimeout this object holds and clears: `AbortSignal.any([AbortSignal.timeout(...), ...])`
 * loses its timer to a garbage collection in Node 20, and the call then never times out.
 */
export class CallDeadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly giveUp = () => this.controller.abort(this.abandoned.reason);

  constructor(
    timeoutMs: number,
    private readonly abandoned: AbortSignal,
  ) {
    // A DOMException named TimeoutError, as AbortSignal.timeout's: fetch rejects with it.
    this.timer = setTimeout(
      () => this.controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')),
      timeoutMs,
    );
    if (abandoned.aborted) this.giveUp();
    else abandoned.addEventListener('abort', this.giveUp, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The call is over: the timer stops and the request's signal lets go of this one. */
  end(): void {
    clearTimeout(this.timer);
    this.abandoned.removeEventListener('abort', this.giveUp);
  }
}
