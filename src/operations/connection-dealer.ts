import type { Worker } from 'node:cluster';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { portRoutingOf } from '../common/port-routing';

/**
 * The primary accepts every connection and deals it to the workers in turn, as Node's cluster
 * does in its round-robin mode, but keeps each connection until its worker says it took it. Node's
 * own dealing lost a connection handed to a worker that died before taking it: the primary kept
 * its copy open, so the client waited for its own timeout (20 s seen) instead of learning at once.
 * Here a worker's death closes the copies of what it had not yet taken, and the client sees the
 * connection closed.
 *
 * Left to the kernel instead (SCHED_NONE), eight keep-alive clients connecting at once were split
 * 7 to 1 between two workers in two rounds of five.
 */

/** The primary hands a connection over; the worker answers whether it took it. */
export const CONNECTION = 'vecgate:connection';
export const TAKEN = 'vecgate:taken';

export interface ConnectionMessage {
  type?: string;
  id?: number;
  taken?: boolean;
  /** The path prefix of the protocol whose own port accepted the connection (common/port-routing.ts). */
  via?: string;
}

/** A connection the primary holds, and the protocol port it came in on (none: the main port). */
interface Held {
  socket: Socket;
  via?: string;
}

/** Connections that may wait in the primary for a worker to be free; past it a new one is closed. */
const MOST_WAITING = 1_000;

export class ConnectionDealer {
  private turn = 0;
  private lastId = 0;
  /** Per worker, the connection handed to it and not yet taken, with its id. */
  private readonly handed = new Map<Worker, Held & { id: number }>();
  /** Workers that take connections: ready, not draining, not gone. */
  private readonly dealing: Worker[] = [];
  /** Connections waiting for a worker that has taken what it was handed before. */
  private readonly waiting: Held[] = [];

  /** From now on `worker` gets its turn. */
  add(worker: Worker): void {
    if (!this.dealing.includes(worker)) this.dealing.push(worker);
    this.pump();
  }

  /** `worker` gets no new connections (it drains); what it was handed and has not taken comes back through taken(). */
  remove(worker: Worker): void {
    const at = this.dealing.indexOf(worker);
    if (at >= 0) this.dealing.splice(at, 1);
    if (this.dealing.length === 0) this.closeWaiting();
  }

  /** `worker` is gone: the connection it had not taken is closed, so that its client learns it now. */
  gone(worker: Worker): void {
    this.handed.get(worker)?.socket.destroy();
    this.handed.delete(worker);
    this.remove(worker);
    this.pump();
  }

  /** Hands `socket` to the next free worker, or keeps it until one is; with no worker at all, closes it. */
  deal(socket: Socket, via?: string): void {
    if (this.dealing.length === 0 || this.waiting.length >= MOST_WAITING) {
      socket.destroy();
      return;
    }
    this.waiting.push({ socket, via });
    this.pump();
  }

  /** The worker's answer: taken, the primary's copy is closed (the worker's keeps the connection); refused, it is dealt again. */
  taken(worker: Worker, message: ConnectionMessage): void {
    const handed = this.handed.get(worker);
    if (!handed || handed.id !== message.id) return;
    this.handed.delete(worker);
    if (message.taken) handed.socket.destroy();
    else if (this.dealing.length > 0) this.waiting.unshift({ socket: handed.socket, via: handed.via });
    else handed.socket.destroy();
    this.pump();
  }

  /**
   * Deals the waiting connections to the workers in turn, each to a worker that has taken the last
   * one it was handed (as Node's round robin does): a worker whose event loop is held up gets no
   * more until it answers.
   */
  private pump(): void {
    while (this.waiting.length > 0) {
      const count = this.dealing.length;
      let worker: Worker | undefined;
      for (let i = 0; i < count && !worker; i++) {
        const candidate = this.dealing[this.turn++ % count];
        if (!this.handed.has(candidate)) worker = candidate;
      }
      if (!worker) return;
      this.hand(worker, this.waiting.shift()!);
    }
  }

  private hand(worker: Worker, { socket, via }: Held): void {
    const id = ++this.lastId;
    this.handed.set(worker, { id, socket, via });
    // keepOpen: the primary's copy stays until the worker answers (Node would close it on its own
    // acknowledgement, which a worker that died never sends).
    worker.send({ type: CONNECTION, id, via }, socket, { keepOpen: true }, (err) => {
      if (!err || this.handed.get(worker)?.id !== id) return;
      this.handed.delete(worker);
      socket.destroy();
      this.pump();
    });
  }

  private closeWaiting(): void {
    for (const { socket } of this.waiting.splice(0)) socket.destroy();
  }
}

/**
 * In a worker: serves the connections the primary deals, on `server`, which does not listen
 * itself. Returns what stops taking them (a draining worker refuses, and the primary deals the
 * connection to another).
 */
export function takeConnections(server: Server): () => void {
  let refusing = false;
  // Node starts checking request and header timeouts on 'listening', which a server that never
  // listens does not emit; that check is the gateway server's only 'listening' listener.
  server.emit('listening');
  process.on('message', (message: ConnectionMessage, socket?: Socket) => {
    if (message?.type !== CONNECTION) return;
    const taken = !refusing && socket !== undefined;
    if (taken) {
      const routing = message.via === undefined ? undefined : portRoutingOf(server);
      if (routing) routing.hand(server, socket, message.via!);
      else server.emit('connection', socket);
      socket.resume();
    } else socket?.destroy(); // this copy only: the primary's keeps the connection, unread, for another worker
    process.send?.({ type: TAKEN, id: message.id, taken });
  });
  return () => {
    refusing = true;
  };
}
