import { connect, type Socket } from 'node:net';
import { Controller, Module, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import { until } from '../../support/wait';

/**
 * Every request has VECGATE_REQUEST_TIMEOUT_MS (1 s here) until its body is read whole, a body its
 * route reads as a stream included. Two requests at once (VECGATE_MAX_ACTIVE_REQUESTS 2): uploads
 * that stall, or that a route awaits for good, are answered with a 408 in their protocol's shape
 * at the deadline and give their turn back, and another client is served. Clients are told apart
 * by their forwarded address (the gateway trusts loopback as its proxy).
 */

/** Test-only: a route that streams its multipart body and waits for its end, and for nothing else. */
@Controller('__test')
class AwaitsItsBodyController {
  @Post('awaits-its-body')
  async awaits(@Req() request: FastifyRequest) {
    const part = await request.file();
    if (!part) return { read: false };
    await new Promise((resolve) => part.file.on('end', resolve).resume());
    return { read: true };
  }
}

@Module({ controllers: [AwaitsItsBodyController] })
class AwaitsItsBodyModule {}

/** A raw connection with everything it received and whether it is closed. */
interface RawConnection {
  socket: Socket;
  received: () => string;
  closed: () => boolean;
}

function open(port: number, request: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    let received = '';
    let closed = false;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(request);
      resolve({ socket, received: () => received, closed: () => closed });
    });
    socket.on('data', (chunk) => (received += chunk));
    socket.on('close', () => (closed = true));
    socket.on('error', reject);
  });
}

const PART =
  '--XX\r\nContent-Disposition: form-data; name="snapshot"; filename="c.snapshot"\r\n' +
  'Content-Type: application/octet-stream\r\n\r\n';
const HEADER = JSON.stringify({
  format: 'vecgate-qdrant-snapshot',
  version: 1,
  collection: 'c',
  config: { vectors: { size: 2, distance: 'Dot' } },
  payload_schema: {},
});

/** A multipart POST from `address` whose body is `body`, declared whole (complete) or sent chunked and never ended. */
function multipart(path: string, address: string, body: string, complete: boolean): string {
  const framing = complete ? `Content-Length: ${Buffer.byteLength(body)}` : 'Transfer-Encoding: chunked';
  const sent = complete ? body : `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n`;
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: ${address}\r\n` +
    `Content-Type: multipart/form-data; boundary=XX\r\n${framing}\r\n\r\n${sent}`
  );
}

/** The JSON body of the one answer a raw connection received. */
function answerOf(c: RawConnection): { status: number; body: any } {
  const text = c.received();
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1]);
  return { status, body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) };
}

async function gauge(gw: TestGateway, name: string): Promise<number> {
  const text = (await http(gw.url, 'GET', '/metrics')).text;
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

describe('the request deadline, a streamed body included', () => {
  let gw: TestGateway;
  let qdrantPort: number;
  const connections: RawConnection[] = [];

  beforeAll(async () => {
    gw = await startGateway(
      {
        qdrantPort: 0,
        requestTimeoutMs: 1000,
        trustedProxies: ['loopback'],
        admission: { maxActive: 2, maxQueued: 100, queueTimeoutMs: 60_000 },
      },
      undefined,
      { logger: false, extraModules: [AwaitsItsBodyModule] },
    );
    qdrantPort = Number(new URL(gw.qdrantUrl).port);
  });
  afterEach(() => {
    for (const c of connections.splice(0)) c.socket.destroy();
  });
  afterAll(() => gw?.close());

  /** Holds both turns with `requests`, then has another client served, then has each held one answered. */
  async function holdBothTurns(requests: [port: number, request: string][]): Promise<RawConnection[]> {
    const held = await Promise.all(requests.map(([port, request]) => open(port, request)));
    connections.push(...held);
    await until(
      'both turns taken',
      () => gauge(gw, 'vecgate_admission_active_requests'),
      (n) => n === 2,
    );
    const other = await http(gw.qdrantUrl, 'GET', '/collections', undefined, { 'x-forwarded-for': '10.0.0.9' });
    expect(other.status).toBe(200);
    for (const c of held) await until('the held request answered and closed', c.closed, (closed) => closed);
    return held;
  }

  it('answers stalled snapshot uploads with a 408 in Qdrant’s shape at the deadline, and serves another client', async () => {
    const stalled = (address: string): [number, string] => [
      qdrantPort,
      multipart('/collections/c/snapshots/upload', address, `${PART}${HEADER.slice(0, 40)}`, false),
    ];
    const held = await holdBothTurns([stalled('10.0.0.1'), stalled('10.0.0.2')]);
    for (const c of held)
      expect(answerOf(c)).toEqual({
        status: 408,
        body: { status: { error: expect.stringMatching(/not received whole within 1000 ms/) }, time: 0 },
      });
  });

  it('answers a route that awaits a body which never ends well at the deadline, and frees its turn', async () => {
    // Whole bodies without their closing boundary: the file errs, and the route waits for an end.
    const unclosed = (address: string): [number, string] => [
      gw.port,
      multipart('/__test/awaits-its-body', address, `${PART}some bytes\n`, true),
    ];
    const held = await holdBothTurns([unclosed('10.0.0.3'), unclosed('10.0.0.4')]);
    for (const c of held) expect(answerOf(c).status).toBe(408);
  });

  it('refuses a snapshot upload that is whole but lacks its closing boundary at once, in Qdrant’s shape', async () => {
    const c = await open(
      qdrantPort,
      multipart('/collections/c/snapshots/upload', '10.0.0.5', `${PART}${HEADER}\n`, true),
    );
    connections.push(c);
    await until('the answer', c.received, (text) => text.includes('}'));
    expect(answerOf(c)).toEqual({
      status: 400,
      body: { status: { error: expect.stringMatching(/not received whole/) }, time: 0 },
    });
  });
});

describe('a stalled snapshot upload', () => {
  let gw: TestGateway;
  const connections: RawConnection[] = [];

  beforeAll(async () => {
    // A deadline far past the test: what is checked is that nothing waits for it.
    gw = await startGateway({ qdrantPort: 0, requestTimeoutMs: 30_000 });
  });
  afterEach(async () => {
    for (const c of connections.splice(0)) c.socket.destroy();
    await until(
      'no upload left under way',
      () => gauge(gw, 'vecgate_http_requests_in_flight'),
      (n) => n === 1,
    );
  });
  afterAll(() => gw?.close());

  it('holds no database connection while its client is still sending', async () => {
    const qdrantPort = Number(new URL(gw.qdrantUrl).port);
    // The header line whole, then half a point, and nothing more for as long as the test runs.
    const body = `${PART}${HEADER}\n{"id": 1, "vector": [0.5,`;
    const stalled = await open(qdrantPort, multipart('/collections/held/snapshots/upload', '10.0.0.6', body, false));
    connections.push(stalled);
    await until(
      'the upload under way',
      () => gauge(gw, 'vecgate_http_requests_in_flight'),
      (n) => n >= 2,
    );
    // Another client writes and reads meanwhile: on the embedded database a load paced by the
    // client held its one connection, and this waited for the upload's deadline.
    const name = `other_${Date.now()}`;
    expect(
      (await http(gw.qdrantUrl, 'PUT', `/collections/${name}`, { vectors: { size: 2, distance: 'Dot' } })).status,
    ).toBe(200);
    expect(
      (
        await http(gw.qdrantUrl, 'PUT', `/collections/${name}/points?wait=true`, {
          points: [{ id: 1, vector: [1, 2] }],
        })
      ).status,
    ).toBe(200);
    expect((await http(gw.qdrantUrl, 'POST', `/collections/${name}/points/count`, {})).body.result).toEqual({
      count: 1,
    });
    expect([stalled.closed(), stalled.received()]).toEqual([false, '']);
    // Nothing of the stalled upload was written.
    expect((await http(gw.qdrantUrl, 'GET', '/collections/held')).status).toBe(404);
  });

  it('receives two uploads at once, refuses a third with a 503, and takes it once one ends', async () => {
    const qdrantPort = Number(new URL(gw.qdrantUrl).port);
    const stalled = await Promise.all(
      ['10.0.0.7', '10.0.0.8'].map((address) =>
        open(qdrantPort, multipart('/collections/held/snapshots/upload', address, `${PART}${HEADER}\n`, false)),
      ),
    );
    connections.push(...stalled);
    await until(
      'both uploads under way',
      () => gauge(gw, 'vecgate_http_requests_in_flight'),
      (n) => n >= 3,
    );
    const whole = () =>
      open(
        qdrantPort,
        multipart('/collections/third/snapshots/upload', '10.0.0.9', `${PART}${HEADER}\n\r\n--XX--\r\n`, true),
      );
    const third = await whole();
    connections.push(third);
    await until('the answer', third.received, (text) => text.includes('}'));
    expect(answerOf(third)).toEqual({
      status: 503,
      body: { status: { error: expect.stringMatching(/2 snapshot uploads are under way/) }, time: 0 },
    });
    // A client that goes away gives its place back.
    stalled[0].socket.destroy();
    await until(
      'the third upload taken',
      async () => {
        const again = await whole();
        connections.push(again);
        await until('its answer', again.received, (text) => text.includes('}'));
        return answerOf(again).status;
      },
      (status) => status === 200,
    );
    expect((await http(gw.qdrantUrl, 'GET', '/collections/third')).status).toBe(200);
  });
});
