import type { ServerResponse } from 'node:http';
import { parseInferenceConfig } from '../../../src/inference/inference-options';
import {
  FAKE_KEY_ENV,
  fakeInferenceConfig,
  startFakeInference,
  type FakeCall,
  type FakeInference,
} from '../../support/fake-inference';
import { http, startGateway, type TestGateway } from '../../support/gateway';

const DIM = 8;
const DOCUMENTS = ['penguins swim', 'paris is in france'];

/** A JSON text sent as the provider wrote it: JSON.stringify cannot write 1e999. */
function sendRaw(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}

/** Each rerank shape's answer, the first document's score written as `score`. */
function rerankAnswer(call: FakeCall, score: string): string {
  const key = call.path.startsWith('/tei') ? 'score' : 'relevance_score';
  const results = `[{"index":0,"${key}":${score}},{"index":1,"${key}":0.5}]`;
  if (call.path.startsWith('/tei')) return results;
  return call.path.startsWith('/voyage') ? `{"data":${results}}` : `{"results":${results}}`;
}

/**
 * A provider that misbehaves: whatever it does, the caller gets a 503 in its protocol, at once
 * or after the configured time limit, and nothing is written.
 */
describe('a misbehaving inference provider', () => {
  let fake: FakeInference;
  let gw: TestGateway;

  beforeAll(async () => {
    fake = await startFakeInference(DIM);
    gw = await startGateway({
      inference: parseInferenceConfig(fakeInferenceConfig(fake, { retries: 1 }), FAKE_KEY_ENV),
    });
  });

  afterAll(async () => {
    await gw?.close();
    await fake?.close();
  });

  afterEach(() => {
    fake.handle = null;
  });

  it('refuses a score or an embedding value that is not finite (1e999 parses to Infinity)', async () => {
    for (const score of ['1e999', '-1e999']) {
      fake.handle = (call, res) => sendRaw(res, 200, rerankAnswer(call, score));
      for (const model of ['bge-reranker-v2-m3', 'rerank-v3.5', 'rerank-2', 'jina-reranker-v2-base-multilingual']) {
        const res = await http(gw.url, 'POST', '/rerank', { model, query: 'penguins', documents: DOCUMENTS });
        expect({ model, status: res.status }).toEqual({ model, status: 503 });
        expect(res.body.error.message).toContain('is not a finite number');
        expect(res.text).not.toContain('null');
      }
    }
    fake.handle = (_call, res) =>
      sendRaw(res, 200, `{"data":[{"index":0,"embedding":[1e999${',0'.repeat(DIM - 1)}]}]}`);
    const embedded = await http(gw.url, 'POST', '/embed', { model: 'llama-text-embed-v2', inputs: [{ text: 'x' }] });
    expect(embedded.status).toBe(503);
    expect(embedded.body.error.message).toContain('is not an array of numbers');
  });
});
