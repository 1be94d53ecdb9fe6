import { http, startGateway, type TestGateway } from '../../support/gateway';
import { HEAVY, seedLongDocuments } from '../../support/heavy-requests';
import { until } from '../../support/wait';

/**
 * Admission control over HTTP: one request at a time (VECGATE_MAX_ACTIVE_REQUESTS 1), twelve
 * waiting at most. Clients are told apart by their forwarded address (the gateway trusts loopback
 * as its proxy). One client's burst of slow reads does not hold another's request behind the whole
 * burst: it gets the next turn but one. Past the queue's room a request is refused at once with a
 * 503 in Chroma's shape and Retry-After, counted in /metrics; every turn ends with its answer.
 */

const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';
const MAX_QUEUED = 12;

const from = (address: string) => ({ 'x-forwarded-for': address });

async function gauge(gw: TestGateway, name: string): Promise<number> {
  const text = (await http(gw.url, 'GET', '/metrics')).text;
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`${name} is not in /metrics`);
  return Number(match[1]);
}

describe('Admission control: a turn per client, a bounded queue, 503 past it', () => {
  let gw: TestGateway;
  let heavyId: string;
  let smallId: string;

  beforeAll(async () => {
    gw = await startGateway({
      trustedProxies: ['loopback'],
      admission: { maxActive: 1, maxQueued: MAX_QUEUED, queueTimeoutMs: 600_000 },
    });
    heavyId = await seedLongDocuments(gw.url, 'long_documents', 20);
    const small = await http(gw.url, 'POST', `${CHROMA}/collections`, { name: 'small' });
    smallId = small.body.id;
  });

  afterAll(() => gw?.close());

  it('gives a second client the next turn but one during a burst, and refuses past the queue', async () => {
    const finished: string[] = [];
    const send = (who: string, address: string, path: string, body?: unknown) =>
      http(gw.url, body === undefined ? 'GET' : 'POST', path, body, from(address)).then((res) => {
        finished.push(who);
        return res;
      });
    const heavy = (who: string, address: string) =>
      send(who, address, `${CHROMA}/collections/${heavyId}/get`, { where_document: HEAVY });

    // Client A: a burst of slow reads; one runs, the rest wait.
    const burst = Array.from({ length: 10 }, (_, i) => heavy(`a${i}`, '10.0.0.1'));
    await until(
      'the burst waiting',
      () => gauge(gw, 'vecgate_admission_queued_requests'),
      (n) => n >= 6,
    );
    // Client B: one light call, after the burst.
    const light = send('b', '10.0.0.2', `${CHROMA}/collections/${smallId}/count`);
    await until(
      'the light call waiting',
      () => gauge(gw, 'vecgate_admission_queued_requests'),
      (n) => n >= 6,
    );
    // Client C: more than the queue holds.
    const overflow = Array.from({ length: 2 * MAX_QUEUED }, (_, i) => heavy(`c${i}`, '10.0.0.3'));

    const refused = (await Promise.all(overflow)).filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const res of refused) {
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body).toEqual({ error: 'ChromaError', message: expect.stringMatching(/server is busy/) });
    }
    const lightRes = await light;
    expect(lightRes.status).toBe(200);
    expect((await Promise.all(burst)).map((r) => r.status)).toEqual(Array(10).fill(200));

    // In turn, B's call ran before most of A's burst that was waiting ahead of it (first come, first
    // served would have put it after all ten).
    const aAfterB = finished.slice(finished.indexOf('b') + 1).filter((w) => w.startsWith('a')).length;
    expect(aAfterB).toBeGreaterThanOrEqual(3);

    const metrics = (await http(gw.url, 'GET', '/metrics')).text;
    expect(metrics).toMatch(
      new RegExp(`^vecgate_admission_refused_total\\{reason="queue_full"\\} ${refused.length}$`, 'm'),
    );
    await until(
      'every turn over',
      async () => [
        await gauge(gw, 'vecgate_admission_active_requests'),
        await gauge(gw, 'vecgate_admission_queued_requests'),
      ],
      ([active, queued]) => active === 0 && queued === 0,
    );
  });

  it('never makes probes wait', async () => {
    const burst = Array.from({ length: 6 }, () =>
      http(gw.url, 'POST', `${CHROMA}/collections/${heavyId}/get`, { where_document: HEAVY }, from('10.0.0.4')),
    );
    await until(
      'the burst waiting',
      () => gauge(gw, 'vecgate_admission_queued_requests'),
      (n) => n >= 3,
    );
    expect((await http(gw.url, 'GET', '/healthz')).status).toBe(200);
    expect(await gauge(gw, 'vecgate_admission_queued_requests')).toBeGreaterThanOrEqual(1);
    expect((await Promise.all(burst)).map((r) => r.status)).toEqual(Array(6).fill(200));
  });
});
