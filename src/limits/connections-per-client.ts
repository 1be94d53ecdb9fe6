import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { compile } from '@fastify/proxy-addr';
import type { AppConfig } from '../config/app-config';

/**
 * Closes a new connection from an address that already holds VECGATE_MAX_CONNECTIONS_PER_CLIENT
 * open ones, so that one client cannot take every descriptor of the process (20,000 trickling
 * connections once left /readyz refused). Trusted proxies are not bounded: every client behind
 * them shares their address.
 */
export function limitConnectionsPerClient(server: Server, config: AppConfig): void {
  const trusted = config.trustedProxies.length > 0 ? compile(config.trustedProxies) : () => false;
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || trusted(address, 0)) return;
    const count = (open.get(address) ?? 0) + 1;
    if (count > config.maxConnectionsPerClient) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
