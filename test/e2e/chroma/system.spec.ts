import { ChromaClient } from 'chromadb';
import { http, startGateway, gatewayForFile } from '../../support/gateway';

describe('Chroma system endpoints', () => {
  const gw = gatewayForFile();
  let client: ChromaClient;

  beforeAll(async () => {
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });

  it('answers heartbeat with the current time in nanoseconds', async () => {
    const beat = await client.heartbeat();
    expect(Math.abs(beat / 1e6 - Date.now())).toBeLessThan(60_000);
  });

  it('reports version 1.0.0 as a JSON string with a JSON content type', async () => {
    expect(await client.version()).toBe('1.0.0');
    const res = await http(gw.url, 'GET', '/api/v2/version');
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.text).toBe('"1.0.0"');
  });

  it('advertises a positive max_batch_size and base64 support in pre-flight checks', async () => {
    const res = await http(gw.url, 'GET', '/api/v2/pre-flight-checks');
    expect(res.body.max_batch_size).toBeGreaterThan(0);
    expect(res.body.supports_base64_encoding).toBe(true);
  });

  it('answers healthcheck and auth identity in Chroma shapes', async () => {
    expect((await http(gw.url, 'GET', '/api/v2/healthcheck')).body).toEqual({
      is_executor_ready: true,
      is_log_client_ready: true,
    });
    expect((await http(gw.url, 'GET', '/api/v2/auth/identity')).body).toEqual({
      user_id: '',
      tenant: 'default_tenant',
      databases: ['default_database'],
    });
  });

  it('refuses reset with 403 when CHROMA_ALLOW_RESET is off', async () => {
    const res = await http(gw.url, 'POST', '/api/v2/reset');
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: 'ChromaError', message: 'Reset is disabled by config' });
  });

  it('answers the v1 API with 410 and an unknown route with an empty 404', async () => {
    const v1 = await http(gw.url, 'GET', '/api/v1/heartbeat');
    expect(v1.status).toBe(410);
    expect(v1.body).toEqual({ error: 'Unimplemented', message: 'The v1 API is deprecated. Please use /v2 apis' });
    const unknown = await http(gw.url, 'GET', '/api/v2/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('');
  });

  it('rejects malformed JSON with a 400 InvalidArgumentError', async () => {
    const res = await http(gw.url, 'POST', '/api/v2/tenants', '{bad');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('InvalidArgumentError');
    expect(res.body.message).toMatch(/^Failed to parse the request body as JSON/);
  });
});

describe('Chroma reset when allowed', () => {
  it('empties every tenant, database and collection and keeps the defaults', async () => {
    const gw = await startGateway({ chromaAllowReset: true });
    try {
      const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
      await client.createCollection({ name: 'to-reset', embeddingFunction: null });
      await http(gw.url, 'POST', '/api/v2/tenants', { name: 'other_tenant' });
      await client.reset();
      expect(await client.listCollections()).toEqual([]);
      expect((await http(gw.url, 'GET', '/api/v2/tenants/other_tenant')).status).toBe(404);
      expect((await http(gw.url, 'GET', '/api/v2/tenants/default_tenant/databases/default_database')).status).toBe(200);
      const again = await http(gw.url, 'POST', '/api/v2/reset');
      expect(again.status).toBe(200);
      expect(again.text).toBe('true');
    } finally {
      await gw.close();
    }
  });
});
