import { randomBytes } from 'node:crypto';
import { parseInferenceConfig } from '../../../src/inference/inference-options';
import {
  fakeInferenceConfig,
  startFakeInference,
  type FakeCall,
  type FakeInference,
} from '../../support/fake-inference';
import { http } from '../../support/gateway';
import { createForModel, indexName } from '../../support/pinecone';
import { startOperatedGateway, type OperatedGateway } from '../operations/support/operated-gateway';
import { qdrantHttp } from '../qdrant/qdrant-helpers';

/** The key of every keyed provider of the fake's configuration, and another provider's, which no call sends. */
const KEY = 'sk-proj-Zx81Qm4tVb92LkPq7RsWn3Yc5Hd';
const SPARE_KEY = 'spare-7Hq2Lw9Xk4Pz6Rt1Vm8Nb3Yc';
const ENV = { FAKE_INFERENCE_KEY: KEY, SPARE_KEY };
const DIM = 8;
const CHROMA = '/api/v2/tenants/default_tenant/databases/default_database';

/** Every character as a JSON \uXXXX escape. */
const escaped = (text: string) => [...text].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/**
 * Ways a provider, or a proxy before it, repeats a key in an error: each is a body the fake
 * answers with. `header` is the Authorization header the call carried (keyed providers send one).
 */
function echoes(call: FakeCall): { type: string; body: string }[] {
  const header = call.authorization ?? `Bearer ${KEY}`;
  const json = (value: unknown) => ({ type: 'application/json', body: JSON.stringify(value) });
  const text = (body: string) => ({ type: 'text/plain', body });
  return [
    json({ error: { message: `Invalid authorization: ${header}`, type: 'invalid_request_error' } }),
    json({ message: `The key ${KEY} is not valid`, received: { authorization: header } }),
    json({ detail: [{ msg: `bad header ${header}`, loc: ['header', 'authorization'] }] }),
    text(`Unauthorized. Headers seen: Authorization: ${header}; x-api-key: ${KEY}`),
    // Split across whitespace, in JSON and in plain text, in long and in short pieces.
    json({ error: `key rejected: ${KEY.slice(0, 14)}\n      ${KEY.slice(14)}` }),
    text(`key rejected: ${KEY.slice(0, 5)} ${KEY.slice(5, 9)}\t${KEY.slice(9, 16)} ${KEY.slice(16)}`),
    // JSON-escaped: a JSON body, a body that is not JSON, and one escaped twice.
    { type: 'application/json', body: `{"detail":"bad key ${escaped(KEY)}"}` },
    text(`upstream said {"error":"bad key ${escaped(KEY)}"} (truncated`),
    text(`upstream said "${escaped(KEY).replace(/\\/g, '\\\\')}"`),
    text(`<html><body>proxy error for https://upstream.invalid/v1/embed?key=${KEY}&x=1</body></html>`),
    json({ error: { message: `another provider's key: ${SPARE_KEY}` } }),
    json({ error: { message: `${'x'.repeat(190)} ${KEY}` } }),
    json({ error: { message: `a key's start ${KEY.slice(0, 12)}... and its end ...${KEY.slice(-12)}` } }),
    text(`case changed: ${KEY.toUpperCase()} and basic: Basic ${Buffer.from(`user:${KEY}`).toString('base64')}`),
  ];
}

/**
 * Whether `text` shows a key or any 8 characters of one, once JSON escapes are undone and
 * whitespace and case ignored.
 */
function leaks(text: string): string | null {
  const seen = text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/[\s\\]/g, '')
    .toLowerCase();
  for (const key of [KEY, SPARE_KEY])
    for (let i = 0; i + 8 <= key.length; i++) {
      const part = key.slice(i, i + 8).toLowerCase();
      if (seen.includes(part)) return part;
    }
  return null;
}

/**
 * A provider that echoes its Authorization header, or any configured key, in an error body: the
 * client's answer, on every protocol's routes that embed or rerank, and the gateway's log never
 * show a key, while the provider's own words about the failure still reach the client.
 */
describe('provider errors that echo a key', () => {
  let fake: FakeInference;
  let gw: OperatedGateway;

  beforeAll(async () => {
    fake = await startFakeInference(DIM);
    const config = fakeInferenceConfig(fake, { retries: 0 });
    const spare = { kind: 'openai', url: `${fake.url}/openai/v1`, api_key_env: 'SPARE_KEY' };
    const inference = parseInferenceConfig({ ...config, providers: { ...config.providers, spare } }, ENV);
    gw = await startOperatedGateway({}, { qdrantPort: 0, inference });
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  afterEach(() => {
    fake.handle = null;
  });

  /** Every route that sends text to a provider, each run once per echo and status. */
  async function routes(): Promise<{ name: string; send: () => Promise<{ status: number; text: string }> }[]> {
    const index = indexName('echo');
    expect((await createForModel(gw.url, index)).status).toBe(201);
    const collection = await http(gw.url, 'POST', `${CHROMA}/collections`, {
      name: `echo-${randomBytes(4).toString('hex')}`,
      configuration: {
        embedding_function: {
          type: 'known',
          name: 'openai',
          config: { model_name: 'llama-text-embed-v2', api_key_env_var: 'OPENAI_API_KEY' },
        },
      },
    });
    expect(collection.status).toBe(200);
    const points = `echo_${randomBytes(4).toString('hex')}`;
    const q = qdrantHttp(gw);
    expect((await q.put(`/collections/${points}`, { vectors: { size: DIM, distance: 'Cosine' } })).status).toBe(200);
    const document = { text: 'some text', model: 'llama-text-embed-v2' };
    return [
      {
        name: 'Pinecone /embed',
        send: () => http(gw.url, 'POST', '/embed', { model: 'llama-text-embed-v2', inputs: [{ text: 'some text' }] }),
      },
      {
        name: 'Pinecone /rerank',
        send: () => http(gw.url, 'POST', '/rerank', { model: 'rerank-v3.5', query: 'q', documents: ['a', 'b'] }),
      },
      {
        name: 'Pinecone upsert_records',
        send: () =>
          http(
            gw.url,
            'POST',
            `/indexes/${index}/records/namespaces/n/upsert`,
            JSON.stringify({ _id: 'a', chunk_text: 'some text' }),
            { 'content-type': 'application/x-ndjson' },
          ),
      },
      {
        name: 'Chroma add',
        send: () =>
          http(gw.url, 'POST', `${CHROMA}/collections/${collection.body.id}/add`, {
            ids: ['a'],
            documents: ['some text'],
          }),
      },
      {
        name: 'Qdrant upsert',
        send: () => q.put(`/collections/${points}/points`, { points: [{ id: 1, vector: document }] }),
      },
      { name: 'Qdrant query', send: () => q.post(`/collections/${points}/points/query`, { query: document }) },
    ];
  }

  it('never gives a key to the client or the log, whatever the status, the route or the trick', async () => {
    const all = await routes();
    const tricks = echoes({ path: '', inputs: 0, body: {}, authorization: undefined }).length;
    for (const status of [400, 413, 401, 403, 500, 503])
      for (let trick = 0; trick < tricks; trick++) {
        fake.handle = (call, res) => {
          const { type, body } = echoes(call)[trick];
          res.writeHead(status, { 'content-type': type });
          res.end(body);
        };
        for (const route of all) {
          const res = await route.send();
          // The provider's 400 and 413 are the caller's 400; any other failure is the provider's 503.
          expect({ route: route.name, status, trick, answer: res.status }).toEqual({
            route: route.name,
            status,
            trick,
            answer: status === 400 || status === 413 ? 400 : 503,
          });
          expect({ route: route.name, status, trick, leak: leaks(res.text) }).toEqual({
            route: route.name,
            status,
            trick,
            leak: null,
          });
        }
      }
    // The calls did carry the key: the provider had it to echo.
    expect(fake.calls.some((c) => c.authorization === `Bearer ${KEY}`)).toBe(true);
    const metrics = await http(gw.url, 'GET', '/metrics');
    expect(leaks(metrics.text)).toBeNull();
    // The 503s were logged with their messages; none shows a key.
    expect(gw.logs.lines.some((l) => /is unavailable \(HTTP 401/.test(JSON.stringify(l)))).toBe(true);
    expect(gw.logs.lines.map((l) => leaks(JSON.stringify(l))).filter((l) => l !== null)).toEqual([]);
  });

  it('still says what the provider said, once the secrets are out of it', async () => {
    fake.handle = (_call, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: {
            message: `This model's maximum context length is 8192 tokens (key ${KEY})`,
            type: 'invalid_request_error',
          },
        }),
      );
    };
    const refused = await http(gw.url, 'POST', '/embed', { model: 'llama-text-embed-v2', inputs: [{ text: 'x' }] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe(
      "The inference provider for model llama-text-embed-v2 refused the input: HTTP 400: This model's maximum context length is 8192 tokens (key [redacted])",
    );
    fake.handle = (_call, res) => {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end(`Unauthorized\n\nAuthorization: Bearer ${KEY}\n`);
    };
    const unavailable = await http(gw.url, 'POST', '/embed', { model: 'llama-text-embed-v2', inputs: [{ text: 'x' }] });
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error.message).toBe(
      'The inference provider for model "llama-text-embed-v2" is unavailable (HTTP 401: Unauthorized Authorization: [redacted]); nothing was written',
    );
  });
});
