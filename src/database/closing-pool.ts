import { Pool } from 'pg';

/** The message of an acquire still waiting for a connection when its pool closes. */
export const POOL_CLOSING = 'The database is closing';

interface Waiter {
  callback: (err: Error) => void;
}

/**
 * A pg Pool whose end() fails every acquire still queued for a connection. pg-pool's own end()
 * only waits for the connections checked out; a waiter queued behind them is never served nor
 * failed, so whatever awaited it (a request, a background sweep, and through it shutdown) hung.
 * The queue is pg-pool's private field: where it is missing, end() is pg-pool's own.
 */
export class ClosingPool extends Pool {
  override end(): Promise<void> {
    const queue = (this as unknown as { _pendingQueue?: Waiter[] })._pendingQueue;
    const waiting = Array.isArray(queue) ? queue.splice(0) : [];
    const ended = super.end();
    for (const waiter of waiting) waiter.callback(new Error(POOL_CLOSING));
    return ended;
  }
}
