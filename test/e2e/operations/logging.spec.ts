import { createServer } from 'node:net';
import { parseInferenceConfig } from '../../../src/inference/inference-options';
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

  it("sends Nest's own log lines through pino, with their context; its module and route lines at debug", () => {
    // Over 200 lines at each start: kept for debugging, out of an info log.
    for (const context of ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'])
      expect([context, gw.logs.lines.filter((l) => l.context === context && l.level !== 'debug')]).toEqual([
        context,
        [],
      ]);
    expect(
      gw.logs.find((l) => l.context === 'RouterExplorer' && /Mapped \{\/readyz, GET\} route/.test(l.msg)),
    ).toMatchObject({ level: 'debug', name: 'vecgate' });
    expect(gw.logs.find((l) => l.context === 'Database' && /with pgvector/.test(l.msg))).toMatchObject({
      level: 'info',
    });
  });

  it('writes the boot lines with the time each happened, in order', () => {
    const times = gw.logs.lines.map((l) => Date.parse(l.time));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
    // Written once the logger exists, they used to carry that one moment: the boot took longer.
    // Written once the logger exists, they all carried that one moment; Nest's first line comes
    // before the database is opened and migrated, its modules' lines after.
    const at = (context: string) => Date.parse(gw.logs.lines.filter((l) => l.context === context).pop()!.time);
    expect(at('InstanceLoader') - at('NestFactory')).toBeGreaterThan(0);
  });

  it('answers GET / with a page that points at the console and /docs', async () => {
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain('href="/console/"');
    expect(page).toContain('href="/docs"');
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

describe('operations: log lines of Qdrant requests and of a provider that is down', () => {
  let gw: OperatedGateway;
  // A port nothing listens on: the provider is down (connection refused, at once).
  let down = 0;

  beforeAll(async () => {
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    down = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    const inference = parseInferenceConfig({
      providers: { local: { kind: 'ollama', url: `http://127.0.0.1:${down}`, retries: 0 } },
      models: { 'down-model': { provider: 'local', dimension: 4 } },
    });
    gw = await startOperatedGateway({}, { qdrantPort: 0, inference });
  });
  afterAll(() => gw.close());

  it("logs a Qdrant request with the client's path, not the internal prefix", async () => {
    await http(gw.qdrantUrl, 'GET', '/collections/nope', undefined, { 'x-request-id': 'log-qdrant' });
    expect(await gw.logs.waitFor((l) => l.requestId === 'log-qdrant' && l.msg === 'request')).toMatchObject({
      protocol: 'qdrant',
      path: '/collections/nope',
      status: 404,
    });
  });

  it('logs a provider that is down as one line of warning: no stack, no extra', async () => {
    const res = await http(
      gw.url,
      'POST',
      '/embed',
      { model: 'down-model', inputs: [{ text: 'hello' }], parameters: { input_type: 'passage' } },
      { 'x-request-id': 'log-down' },
    );
    expect(res.status).toBe(503);
    const line = await gw.logs.waitFor((l) => l.requestId === 'log-down' && l.context === 'Errors');
    expect(line).toEqual({
      level: 'warn',
      time: expect.any(String),
      pid: expect.any(Number),
      hostname: expect.any(String),
      name: 'vecgate',
      requestId: 'log-down',
      context: 'Errors',
      msg: expect.stringMatching(
        /^POST \/embed: 503 The inference provider for model "down-model" is unavailable \([^\n]*\)[^\n]*$/,
      ),
    });
  });
});
