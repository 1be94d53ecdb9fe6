import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';
import { expectQdrantError, qdrantHttp } from '../qdrant/qdrant-helpers';

/** Each statement's limit here; the text_any below ran for minutes past a 30 s one. */
const TIMEOUT_MS = 2000;
const POINTS = 3000;

/**
 * Qdrant's `text_any` of 10,000 words (79 KB) on a collection of a few thousand points ran far past
 * the statement timeout and grew the backend by a gigabyte: one OR branch and two values a word,
 * which PostgreSQL's JIT compiled without heeding the cancel (and past 32,767 words, more values
 * than a statement binds: a 500). It is one pattern list now, on connections without JIT, and
 * answers within its limit (a 2xx, or the documented 503), while the gateway answers others.
 * Embedded, on a data directory on disk, where a statement can be stopped.
 */
describe('a text_any of many words', () => {
  let gw: TestGateway;
  let dataDir: string | undefined;
  const name = 'text_any_bound';

  beforeAll(async () => {
    if (!usingPostgres()) dataDir = mkdtempSync(join(tmpdir(), 'vecgate-text-any-'));
    gw = await startGateway({ qdrantPort: 0, statementTimeoutMs: TIMEOUT_MS, ...(dataDir ? { dataDir } : {}) });
    const q = qdrantHttp(gw);
    expect((await q.put(`/collections/${name}`, { vectors: { size: 2, distance: 'Dot' } })).status).toBe(200);
    for (let start = 0; start < POINTS; start += 500) {
      const points = Array.from({ length: 500 }, (_, j) => ({
        id: start + j + 1,
        vector: [1, (start + j) / POINTS],
        payload: { text: `point ${start + j} says hello to term${(start + j) * 7}x and more` },
      }));
      expect((await q.put(`/collections/${name}/points?wait=true`, { points })).status).toBe(200);
    }
  });

  afterAll(async () => {
    await gw?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([10_000, 40_000])(
    'of %i words answers within the statement timeout, a 2xx or a 503, and the gateway goes on answering',
    async (words) => {
      const q = qdrantHttp(gw);
      // term0x, term1x, ...: the points whose term 7i is among them match.
      const textAny = Array.from({ length: words }, (_, i) => `term${i}x`).join(' ');
      const matching = Array.from({ length: POINTS }, (_, i) => i + 1).filter((id) => 7 * (id - 1) < words);
      const started = Date.now();
      const pending = q.post(`/collections/${name}/points/query`, {
        query: [0, 1],
        filter: { must: [{ key: 'text', match: { text_any: textAny } }] },
        limit: 5,
      });
      // The probes answer while it runs: on Postgres other connections, embedded PGlite's own thread.
      expect((await http(gw.url, 'GET', '/healthz')).status).toBe(200);
      const res = await pending;
      const took = Date.now() - started;
      if (res.status === 503) expectQdrantError(res, 503, /VECGATE_STATEMENT_TIMEOUT_MS/);
      else {
        expect(res.status).toBe(200);
        expect(res.body.result.points.map((p: { id: number }) => p.id)).toEqual(matching.reverse().slice(0, 5));
      }
      // Its limit, and as long again for the rest of the request (parsing, planning, answering) on a
      // busy machine: what it ran before was minutes.
      expect(took).toBeLessThan(2 * TIMEOUT_MS + 10_000);
      const after = await q.post(`/collections/${name}/points/count`, {
        filter: { must: [{ key: 'text', match: { text_any: 'term7x term14x' } }] },
        exact: true,
      });
      expect(after.status).toBe(200);
      expect(after.body.result.count).toBe(2);
    },
  );
});
