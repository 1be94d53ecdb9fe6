import { OverloadedError } from '../core/errors';

/** How many requests run at once, and how many may wait (VECGATE_MAX_ACTIVE_REQUESTS and the two after it). */
export interface AdmissionOptions {
  /** Requests served at once; 0 turns admission control off. */
  maxActive: number;
  /** Requests waiting for a turn, all clients together; past it a request is refused at once. */
  maxQueued: number;
  /** How long a request may wait for its turn before it is refused. */
  queueTimeoutMs: number;
}

/** Why a request was refused: the queue was full, or its turn did not come in time. */
export type Refusal = 'queue_full' | 'queue_timeout';

/** A request's place: `admitted` resolves when it may run; `done` ends its turn or leaves the queue. */
export interface Ticket {
  admitted: Promise<void>;
  /** Idempotent: when the answer has gone out, or the client went away while waiting. */
  done(): void;
}

interface Waiter {
  client: string;
  since: number;
  timer: NodeJS.Timeout;
  admit(): void;
}

/**
 * Admission control: at most `maxActive` requests run, the others wait in one queue per client,
 * served in turn (one from each client with requests waiting, round and round), so that a client
 * that sends a burst of a hundred delays another's one request by at most one turn, rather than
 * by its whole burst. Past `maxQueued` waiting, or after `queueTimeoutMs` in the queue, a
 * request is refused with a 503 and Retry-After: a load balancer or the client retries later,
 * rather than every request slowing down until all time out.
 */
export class Admission {
  active = 0;
  queued = 0;
  readonly refused: Record<Refusal, number> = { queue_full: 0, queue_timeout: 0 };
  /** Called with each admitted request's wait in seconds (0 when it did not wait). */
  onWait?: (seconds: number) => void;
  /** Clients with requests waiting, in turn order; each one's requests in arrival order. */
  private readonly queues = new Map<string, Waiter[]>();

  constructor(readonly options: AdmissionOptions) {}

  get enabled(): boolean {
    return this.options.maxActive > 0;
  }

  enter(client: string): Ticket {
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let waiter: Waiter | undefined;
    const done = () => {
      if (state === 'running') {
        this.active--;
        this.dispatch();
      } else if (state === 'waiting' && waiter) this.leave(waiter);
      state = 'done';
    };
    if (this.active < this.options.maxActive && this.queued === 0) {
      this.active++;
      state = 'running';
      this.onWait?.(0);
      return { admitted: Promise.resolve(), done };
    }
    if (this.queued >= this.options.maxQueued) {
      this.refused.queue_full++;
      state = 'done';
      return { admitted: Promise.reject(new OverloadedError(1, 'too many requests are waiting')), done };
    }
    const admitted = new Promise<void>((resolve, reject) => {
      const since = performance.now();
      waiter = {
        client,
        since,
        timer: setTimeout(() => {
          this.leave(waiter!);
          state = 'done';
          this.refused.queue_timeout++;
          reject(new OverloadedError(1, `no turn came within ${this.options.queueTimeoutMs} ms`));
        }, this.options.queueTimeoutMs).unref(),
        admit: () => {
          state = 'running';
          this.onWait?.((performance.now() - since) / 1000);
          resolve();
        },
      };
      const queue = this.queues.get(client);
      if (queue) queue.push(waiter);
      else this.queues.set(client, [waiter]);
      this.queued++;
    });
    return { admitted, done };
  }

  /** Admits waiting requests while there is room: the next client's first, then that client goes to the back. */
  private dispatch(): void {
    while (this.active < this.options.maxActive && this.queued > 0) {
      const [client, queue] = this.queues.entries().next().value as [string, Waiter[]];
      const waiter = queue.shift()!;
      this.queues.delete(client);
      if (queue.length > 0) this.queues.set(client, queue);
      this.queued--;
      clearTimeout(waiter.timer);
      this.active++;
      waiter.admit();
    }
  }

  private leave(waiter: Waiter): void {
    const queue = this.queues.get(waiter.client);
    const at = queue?.indexOf(waiter) ?? -1;
    if (at < 0) return;
    clearTimeout(waiter.timer);
    queue!.splice(at, 1);
    if (queue!.length === 0) this.queues.delete(waiter.client);
    this.queued--;
  }
}
