import { http } from '../../support/gateway';
import { startOperatedGateway, type OperatedGateway } from './support/operated-gateway';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';

describe('operations: request ids', () => {
  let gw: OperatedGateway;

  beforeAll(async () => {
    gw = await startOperatedGateway();
  });
  afterAll(() => gw.close());

  const idOf = async (path: string, header?: string, method = 'GET', body?: unknown) => {
    const res = await http(gw.url, method, path, body, header === undefined ? {} : { 'x-request-id': header });
    return res.headers.get('x-request-id');
  };

  it('echoes a caller id made of letters, digits, dot, underscore and dash, up to 128 characters', async () => {
    expect(await idOf('/healthz', 'abc-123_X.y')).toBe('abc-123_X.y');
    expect(await idOf('/healthz', 'a'.repeat(128))).toBe('a'.repeat(128));
  });

  it('replaces a missing, empty, too long or unsafe id with a fresh uuid', async () => {
    const ids = [
      await idOf('/healthz'),
      await idOf('/healthz'),
      await idOf('/healthz', ''),
      await idOf('/healthz', 'a'.repeat(129)),
    ];
    ids.push(
      await idOf('/healthz', 'has space'),
      await idOf('/healthz', 'quote"d'),
      await idOf('/healthz', 'semi;colon'),
      await idOf('/healthz', 'ünï'),
    );
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('returns the id on every answer: protocol errors, unknown routes, refused bodies', async () => {
    expect(await idOf(`${CHROMA}/collections/nope`, 'err-1')).toBe('err-1');
    expect(await idOf('/indexes/nope', 'err-2')).toBe('err-2');
    expect(await idOf('/api/v2/nope', 'err-3')).toBe('err-3');
    expect(await idOf(`${CHROMA}/collections`, 'err-4', 'POST', '{bad')).toBe('err-4');
  });
});

describe('operations: structured logs', () => {
  let gw: OperatedGateway;

  beforeAll(async () => {
    gw = await startOperatedGateway();
  });
  afterAll(() => gw.close());

  it('writes one JSON access line per request with id, protocol, method, route, status and duration', async () => {
    const res = await http(
      gw.url,
      'POST',
      `${CHROMA}/collections`,
      { name: 'logged' },
      { 'x-request-id': 'log-create' },
    );
    expect(res.status).toBe(200);
    const line = await gw.logs.waitFor((l) => l.requestId === 'log-create' && l.msg === 'request');
    expect(line).toMatchObject({
      level: 'info',
      name: 'vecgate',
      requestId: 'log-create',
      protocol: 'chroma',
      method: 'POST',
      route: '/api/v2/tenants/:tenant/databases/:database/collections',
      path: `${CHROMA}/collections`,
      status: 200,
    });
    expect(typeof line.durationMs).toBe('number');
    expect(line.durationMs).toBeGreaterThanOrEqual(0);
    expect(typeof line.time).toBe('string'); // ISO time
    expect(gw.logs.lines.filter((l) => l.requestId === 'log-create' && l.msg === 'request')).toHaveLength(1);
  });

  it('logs the path without its query string, and a refused request too', async () => {
    await http(gw.url, 'GET', '/indexes/missing/vectors/fetch?ids=secret', undefined, { 'x-request-id': 'log-query' });
    const fetched = await gw.logs.waitFor((l) => l.requestId === 'log-query' && l.msg === 'request');
    expect(fetched).toMatchObject({
      protocol: 'pinecone',
      route: '/indexes/:index/vectors/fetch',
      path: '/indexes/missing/vectors/fetch',
      status: 404,
    });
    await http(gw.url, 'POST', '/insert_vectors', '{bad', { 'x-request-id': 'log-bad' });
    expect(await gw.logs.waitFor((l) => l.requestId === 'log-bad' && l.msg === 'request')).toMatchObject({
      protocol: 'vectorizer',
      route: '/insert_vectors',
      status: 400,
    });
  });

  it('logs successful probes at debug, so an info level keeps them out', async () => {
    await http(gw.url, 'GET', '/healthz', undefined, { 'x-request-id': 'log-probe' });
    expect(await gw.logs.waitFor((l) => l.requestId === 'log-probe')).toMatchObject({
      level: 'debug',
      route: '/healthz',
      protocol: 'other',
    });
  });

  it("sends Nest's own log lines through pino, with their context", () => {
    expect(
      gw.logs.find((l) => l.context === 'RouterExplorer' && /Mapped \{\/readyz, GET\} route/.test(l.msg)),
    ).toMatchObject({ level: 'info', name: 'vecgate' });
    expect(gw.logs.find((l) => l.context === 'Database' && /with pgvector/.test(l.msg))).toBeDefined();
  });

  it('writes nothing when the app is built with logs off', async () => {
    const quiet = await startOperatedGateway({ logs: false });
    try {
      await http(quiet.url, 'GET', '/healthz');
      await http(quiet.url, 'GET', '/api/v2/nope');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(quiet.logs.lines).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
