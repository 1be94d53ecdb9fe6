import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';

/**
 * A protocol served on a port of its own (Qdrant's 6333), by the same HTTP server, routes and
 * hooks as the main port: auth, limits, metrics and logs stay one. A connection accepted there is
 * handed to the main HTTP server and marked; the path of each request it carries is routed under
 * the protocol's prefix, which a request on the main port cannot reach.
 */
export interface ProtocolPort {
  /** Where its routes are mounted. */
  prefix: string;
  /** Paths served by the gateway's own routes on that port too (the probes), by the path they take there. */
  shared: Readonly<Record<string, string>>;
  /** The probes' answers on that port, in the protocol's words (plain text): live, ready, not ready. */
  probeWords?: Readonly<{ live: string; ready: string; notReady: string }>;
}

/** The protocol port each handed connection came through (sockets are unique to one gateway). */
const socketPorts = new WeakMap<Socket, ProtocolPort>();

/** The protocol port a request came through, or undefined for the main port. */
export function protocolPortOf(req: IncomingMessage): ProtocolPort | undefined {
  return socketPorts.get(req.socket);
}

export class PortRouting {
  private readonly portOf = socketPorts;
  private readonly listeners: Server[] = [];
  private readonly prefixes: string[];

  constructor(private readonly ports: ProtocolPort[]) {
    this.prefixes = ports.map((p) => p.prefix);
  }

  /** Requests on `socket` are routed under `prefix`. */
  mark(socket: Socket, prefix: string): void {
    const port = this.ports.find((p) => p.prefix === prefix);
    if (port) this.portOf.set(socket, port);
  }

  /** Fastify's rewriteUrl: the path a request is routed by. */
  rewrite(req: IncomingMessage): string {
    const url = req.url ?? '/';
    const port = this.portOf.get(req.socket);
    if (port) {
      const q = url.indexOf('?');
      const path = q < 0 ? url : url.slice(0, q);
      if (Object.hasOwn(port.shared, path)) return port.shared[path] + (q < 0 ? '' : url.slice(q));
      return port.prefix + (url.startsWith('/') ? url : `/${url}`);
    }
    return this.underPrefix(decoded(url)) ? '/not-found' : url;
  }

  /**
   * Whether a request may reach the route it matched (`route`, its pattern): a protocol port's
   * routes only from that port. The router decodes a path before matching it, so this catches
   * every spelling of a prefix (`/%5Fqdrant`) that rewrite's reading of the raw path might miss.
   */
  reaches(req: IncomingMessage, route: string | undefined): boolean {
    if (route === undefined) return true;
    const owner = this.underPrefix(route);
    return owner === undefined || this.portOf.get(req.socket)?.prefix === owner;
  }

  /** The protocol prefix a path lies under, in any case (routed paths ignore case), or undefined. */
  private underPrefix(path: string): string | undefined {
    const lower = path.toLowerCase();
    return this.prefixes.find((p) => lower === p || lower.startsWith(`${p}/`) || lower.startsWith(`${p}?`));
  }

  /**
   * Listens on `port` (0: any) for `prefix`'s protocol and hands each connection to `server`.
   * Resolves with the port listened on.
   */
  async listen(server: HttpServer, prefix: string, port: number, host: string): Promise<number> {
    const listener = createServer({ noDelay: true }, (socket) => this.hand(server, socket, prefix));
    this.listeners.push(listener);
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, host, () => {
        listener.off('error', reject);
        // Past listening, an accept that fails (out of descriptors) is the connection's loss, not the process's.
        listener.on('error', () => undefined);
        resolve();
      });
    });
    const address = listener.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  /** A connection accepted for `prefix` elsewhere (a worker's, dealt by its primary). */
  hand(server: HttpServer, socket: Socket, prefix: string): void {
    this.mark(socket, prefix);
    server.emit('connection', socket);
  }

  /** Stops accepting on the protocols' ports; their open connections close with the main server's. */
  close(): void {
    for (const listener of this.listeners.splice(0)) listener.close();
  }
}

/** A path with its percent-escapes decoded as the router decodes them; as sent when it cannot be. */
function decoded(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

const routings = new WeakMap<HttpServer, PortRouting>();

export function attachPortRouting(server: HttpServer, routing: PortRouting): void {
  routings.set(server, routing);
}

/** The routing of the gateway whose HTTP server this is. */
export function portRoutingOf(server: HttpServer): PortRouting | undefined {
  return routings.get(server);
}
