import { connect, type Socket } from 'node:net';
import { startGateway, type TestGateway } from '../../support/gateway';
import { until } from '../../support/wait';

/** A raw connection to the gateway, with everything it received and whether it is closed. */
interface RawConnection {
  socket: Socket;
  received: () => string;
  closed: () => boolean;
}

function open(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    let received = '';
    let closed = false;
    const socket = connect(port, '127.0.0.1', () =>
      resolve({ socket, received: () => received, closed: () => closed }),
    );
    socket.on('data', (chunk) => (received += chunk));
    socket.on('close', () => (closed = true));
    socket.on('error', reject);
  });
}

describe('slow and greedy clients', () => {
  let gw: TestGateway;
  const connections: RawConnection[] = [];

  beforeAll(async () => {
    gw = await startGateway({ requestTimeoutMs: 1000 });
  });
  afterEach(() => {
    for (const c of connections.splice(0)) c.socket.destroy();
  });
  afterAll(() => gw.close());

  it('closes a connection that trickles a declared 10 MB body, with 408, and keeps serving others', async () => {
    const slow = await open(gw.port);
    connections.push(slow);
    slow.socket.write(
      'POST /api/v2/tenants/default_tenant/databases/default_database/collections HTTP/1.1\r\n' +
        'Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"name":',
    );
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    await until('the trickling connection is closed', slow.closed, (closed) => closed);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('parses large bodies one per turn of the event loop: each is read whole, a probe answers meanwhile', async () => {
    // A gateway of its own, with the default request timeout: on a busy machine four bodies of
    // 2-4 MB sent at once can take longer than the 1 s the trickle test needs to receive.
    const roomy = await startGateway();
    try {
      await largeBodies(roomy);
    } finally {
      await roomy.close();
    }
  });

  async function largeBodies(gw: TestGateway) {
    const chroma = `${gw.url}/api/v2/tenants/default_tenant/databases/default_database`;
    const { id } = (await (
      await fetch(`${chroma}/collections`, { method: 'POST', body: JSON.stringify({ name: 'large_bodies' }) })
    ).json()) as { id: string };
    const batch = (from: number) => {
      const ids = Array.from({ length: 2000 }, (_, i) => `r${from + i}`);
      return JSON.stringify({
        ids,
        embeddings: ids.map((_, i) => Array.from({ length: 128 }, (_, d) => (i + d) / 1000)),
      });
    };
    const bodies = [0, 2000, 4000].map(batch);
    expect(bodies.every((b) => b.length > 1024 * 1024)).toBe(true); // past the size that waits its turn
    const adds = bodies.map((body) => fetch(`${chroma}/collections/${id}/add`, { method: 'POST', body }));
    const broken = fetch(`${chroma}/collections/${id}/add`, { method: 'POST', body: bodies[0].slice(0, -1) });
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect((await Promise.all(adds)).map((r) => r.status)).toEqual([201, 201, 201]);
    const refused = await broken;
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('InvalidArgumentError');
    expect(await (await fetch(`${chroma}/collections/${id}/count`)).json()).toBe(6000);
  }

  it('closes connections past the per-client bound, and takes new ones once others close', async () => {
    // A gateway of its own: no connection of an earlier test (fetch keeps them alive) counts here.
    const bounded = await startGateway({ maxConnectionsPerClient: 5 });
    try {
      await boundedConnections(bounded);
    } finally {
      await bounded.close();
    }
  });

  async function boundedConnections(gw: TestGateway): Promise<void> {
    const held: RawConnection[] = [];
    for (let i = 0; i < 5; i++) held.push(await open(gw.port));
    connections.push(...held);
    const extra = await open(gw.port);
    connections.push(extra);
    await until('the connection past the bound is closed', extra.closed, (closed) => closed);
    expect(held.some((c) => c.closed())).toBe(false);
    for (const c of held) c.socket.destroy();
    const status = await until(
      'a new connection is served',
      () =>
        fetch(`${gw.url}/healthz`).then(
          (r) => r.status,
          () => 0,
        ),
      (s) => s === 200,
    );
    expect(status).toBe(200);
  }
});
