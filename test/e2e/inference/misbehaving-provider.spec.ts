import type { ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseInferenceConfig } from '../../../src/inference/inference-options';
import {
  FAKE_KEY_ENV,
  fakeInferenceConfig,
  startFakeInference,
  type FakeCall,
  type FakeInference,
} from '../../support/fake-inference';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import { createForModel, indexName } from '../../support/pinecone';
import { until } from '../../support/wait';

const DIM = 8;
/** The time limit of the `hasty` provider, which has one slot and one retry. */
const HASTY_TIMEOUT_MS = 1000;
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
    const config = fakeInferenceConfig(fake, { retries: 1 });
    const hasty = {
      kind: 'openai',
      url: `${fake.url}/openai/v1`,
      timeout_ms: HASTY_TIMEOUT_MS,
      retries: 1,
      retry_base_ms: 5,
      concurrency: 1,
    };
    const inference = parseInferenceConfig(
      {
        providers: { ...config.providers, hasty },
        models: { ...config.models, 'hasty-embed': { provider: 'hasty', dimension: DIM } },
      },
      FAKE_KEY_ENV,
    );
    gw = await startGateway({ inference });
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

  it('gives up on a provider that never answers after its time limit and retries, garbage collected meanwhile', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const held: ServerResponse[] = [];
    fake.handle = (_call, res) => void held.push(res);
    // Full collections while the calls wait: a timer the gateway does not hold is lost to one.
    const collecting = setInterval(gc, 100);
    let bound: NodeJS.Timeout | undefined;
    const started = process.hrtime.bigint();
    try {
      // A lost timer never fires: the answer would never come. The bound is no speed check.
      const res = await Promise.race([
        http(gw.url, 'POST', '/embed', { model: 'hasty-embed', inputs: [{ text: 'anyone there?' }] }),
        new Promise<'no answer in 60 s'>((resolve) => (bound = setTimeout(() => resolve('no answer in 60 s'), 60_000))),
      ]);
      const waitedMs = Number(process.hrtime.bigint() - started) / 1e6;
      expect(res === 'no answer in 60 s' ? res : res.status).toBe(503);
      if (res === 'no answer in 60 s') return;
      expect(res.body.error.message).toContain('(timed out, after 2 attempts)');
      // Each of the two attempts waited its time limit out.
      expect(waitedMs).toBeGreaterThanOrEqual(2 * HASTY_TIMEOUT_MS);
    } finally {
      clearInterval(collecting);
      clearTimeout(bound);
      // Had the gateway not given up, it would still be waiting: its calls are let go, so it can close.
      fake.handle = null;
      for (const res of held) res.destroy();
    }
    // The provider's one slot was given back: the next call goes through.
    const answered = await http(gw.url, 'POST', '/embed', { model: 'hasty-embed', inputs: [{ text: 'back' }] });
    expect(answered.status).toBe(200);
  });

  it('follows no redirect: a 3xx is a 503, nothing is written, and no other address receives the texts', async () => {
    const name = indexName('redirected');
    const created = await createForModel(gw.url, name);
    expect(created.status).toBe(201);
    const elsewhere = await startFakeInference(DIM);
    try {
      const targets: [number, string][] = [
        [307, `${elsewhere.url}/openai/v1/embeddings`],
        [308, `${elsewhere.url}/openai/v1/embeddings`],
        [302, `${elsewhere.url}/openai/v1/embeddings`],
        [301, `${elsewhere.url}/openai/v1/embeddings`],
        // A cloud's metadata address: never asked.
        [302, 'http://169.254.169.254/latest/meta-data/'],
        // The same origin: the operator's url is not the final address, which the message says.
        [307, '/openai/v1/embeddings-moved'],
      ];
      for (const [status, location] of targets) {
        fake.handle = (_call, res) => {
          res.writeHead(status, { location });
          res.end();
        };
        const before = fake.received;
        const res = await http(
          gw.url,
          'POST',
          `/indexes/${name}/records/namespaces/n/upsert`,
          JSON.stringify({ _id: 'a', chunk_text: 'a text that stays here' }),
          { 'content-type': 'application/x-ndjson' },
        );
        expect({ status, location, answer: res.status }).toEqual({ status, location, answer: 503 });
        expect(res.body.message).toContain(`HTTP ${status}: the provider redirects, and vecgate follows no redirect`);
        expect(res.text).not.toContain(location);
        // Not retried: asking again would be redirected again.
        expect(fake.received - before).toBe(1);
      }
      expect(elsewhere.received).toBe(0);
    } finally {
      await elsewhere.close();
    }
    const stats = await http(gw.url, 'POST', `/indexes/${name}/describe_index_stats`, {});
    expect(stats.body.totalVectorCount).toBe(0);
  });

  it('stops reading an answer sent in chunks past the call’s limit: a 503, not retried', async () => {
    // 64 MiB of valid JSON, padded with spaces, sent as fast as the gateway reads it, no length said.
    const total = 64 * 1024 * 1024;
    const padding = Buffer.alloc(64 * 1024, ' ');
    let sent = 0;
    let finished = false;
    let closed = false;
    fake.handle = (_call, res) => {
      res.once('close', () => (closed = true));
      res.writeHead(200, { 'content-type': 'application/json' });
      const head = `{"data":[{"index":0,"embedding":[${new Array(DIM).fill(0.5).join(',')}]}]`;
      sent += head.length;
      res.write(head);
      const pump = () => {
        while (!res.destroyed && sent < total) {
          sent += padding.length;
          if (!res.write(padding)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end('}', () => (finished = true));
      };
      pump();
    };
    const before = fake.calls.length;
    const res = await http(gw.url, 'POST', '/embed', { model: 'llama-text-embed-v2', inputs: [{ text: 'x' }] });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toMatch(/\(answer larger than \d+ bytes\); nothing was written$/);
    const limit = Number(/answer larger than (\d+) bytes/.exec(res.body.error.message)![1]);
    // One text of 8 numbers: the floor of 1 MiB and a little.
    expect(limit).toBeGreaterThan(1024 * 1024);
    expect(limit).toBeLessThan(1.1 * 1024 * 1024);
    expect(fake.calls.length - before).toBe(1);
    // The gateway closed the connection: the provider did not get to send it all.
    await until(
      'the connection closed',
      () => closed,
      (c) => c,
    );
    expect(finished).toBe(false);
    expect(sent).toBeLessThan(total);
  });
});
