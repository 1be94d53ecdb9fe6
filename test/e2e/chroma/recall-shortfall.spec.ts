import { ChromaClient, type Collection } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { http } from '../../support/gateway';
import { until } from '../../support/wait';
import { sample, startOperatedGateway, type OperatedGateway } from '../operations/support/operated-gateway';

/**
 * Where no walk reaches the recall target and reading every record is not allowed in its place
 * (VECGATE_EXACT_IF_MISSED_WITHIN=0), the shortfall is said everywhere a user looks (issue 49):
 * Chroma's indexing_status (target_met false, and why in words), the console's Quality tab, a
 * /metrics gauge, and one warning in the log, not one per measurement. The records share one
 * vector: every record is as near as every other to any query, so which ten a walk returns is
 * its own order of equals, and the exact answer's ten are others: a recall no ef_search raises.
 */

const DIM = 16;
const RECORDS = 600;
const GROWN = 800; // a quarter more: the tuner measures again

describe('Chroma: a recall target no walk reaches is said out loud', () => {
  let gw: OperatedGateway;
  let col: Collection;

  const status = async () =>
    (
      await http(
        gw.url,
        'GET',
        `/api/v2/tenants/default_tenant/databases/default_database/collections/${col.id}/indexing_status`,
      )
    ).body;
  const warnings = () => {
    return gw.logs.lines.filter(
      (l) => l.level === 'warn' && String(l.msg).includes('Searches do not reach the recall target'),
    );
  };

  async function load(from: number, to: number): Promise<void> {
    const same = Array.from({ length: DIM }, (_, i) => (i % 3) - 1 + 0.5);
    for (let s = from; s < to; s += 200) {
      const ids = Array.from({ length: Math.min(200, to - s) }, (_, i) => `r${s + i}`);
      await col.add({ ids, embeddings: ids.map(() => same) });
    }
  }

  beforeAll(async () => {
    gw = await startOperatedGateway(
      {},
      {
        indexing: {
          ...loadConfig({}).indexing,
          minRows: 300,
          quietMs: 300,
          recallTarget: 0.95,
          recallSample: 20,
          recallCheckMs: 100,
          exactIfMissedWithin: 0,
        },
      },
    );
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    col = await client.createCollection({ name: 'equals', embeddingFunction: null });
    await load(0, RECORDS);
  });
  afterAll(() => gw?.close());

  it('reports the target missed in indexing_status, with why and what to do', async () => {
    const body = await until('the first measurement', status, (b) => b.vecgate_search_tuning !== undefined);
    const tuning = body.vecgate_search_tuning;
    expect(tuning.recall).toBeLessThan(0.95);
    expect(tuning.exact).toBe(false);
    expect(tuning.ef_search).toBe(1000);
    expect(tuning.target_met).toBe(false);
    expect(tuning.shortfall).toContain('do not reach the recall target 0.95');
    expect(tuning.shortfall).toContain('ef_search 1000');
    expect(tuning.shortfall).toContain('VECGATE_EXACT_IF_MISSED_WITHIN=0');
    expect(tuning.shortfall).toContain('VECGATE_RECALL_TARGET');
  });

  it('rebuilds the index larger step by step, then says that no step is left', async () => {
    const body = await until(
      'every rebuild tried',
      status,
      (b) => b.vecgate_hnsw_index?.m === 48 && b.vecgate_search_tuning?.shortfall?.includes('largest step'),
    );
    expect(
      body.vecgate_hnsw_index.builds.map((b: { m: number; ef_construction: number; outcome: string }) => [
        b.m,
        b.ef_construction,
        b.outcome,
      ]),
    ).toEqual([
      [16, 100, 'built'],
      [24, 200, 'built'],
      [32, 400, 'built'],
      [48, 800, 'built'],
    ]);
    const { shortfall } = body.vecgate_search_tuning;
    expect(shortfall).toContain('rebuilt the index larger (m 24 and ef_construction 200, then m 32');
    expect(shortfall).toContain('m 48 is the largest step');
    expect(body.vecgate_search_tuning.walk_met).toBe(false);
  });

  it('shows it in the console’s Quality tab and in /metrics', async () => {
    const quality = await http(gw.url, 'GET', `/console/api/collections/${col.id}/quality`);
    expect(quality.status).toBe(200);
    expect(quality.body.vectors[0].shortfall).toContain('do not reach the recall target');
    const metrics = (await http(gw.url, 'GET', '/metrics')).text;
    const below = sample(metrics, 'vecgate_search_recall_below_target', { collection: col.id, vector: '0' });
    expect(below).toBeGreaterThan(0);
  });

  it('warns once in the log, not again when measured again and still short', async () => {
    expect(warnings()).toHaveLength(1);
    expect(String(warnings()[0].msg)).toContain(col.id);
    await load(RECORDS, GROWN);
    await until('a measurement at the grown size', status, (b) => b.vecgate_search_tuning?.records === GROWN);
    expect((await status()).vecgate_search_tuning.target_met).toBe(false);
    expect(warnings()).toHaveLength(1);
  });
});

describe('Chroma: a rebuild past the operator’s size bound is not begun, and said', () => {
  let gw: OperatedGateway;
  let col: Collection;

  beforeAll(async () => {
    gw = await startOperatedGateway(
      {},
      {
        indexing: {
          ...loadConfig({}).indexing,
          minRows: 300,
          quietMs: 300,
          recallTarget: 0.95,
          recallSample: 20,
          recallCheckMs: 100,
          exactIfMissedWithin: 0,
          rebuildMaxSize: 1,
        },
      },
    );
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    col = await client.createCollection({ name: 'equals-bounded', embeddingFunction: null });
    const same = Array.from({ length: DIM }, (_, i) => (i % 3) - 1 + 0.5);
    const ids = Array.from({ length: RECORDS }, (_, i) => `r${i}`);
    await col.add({ ids, embeddings: ids.map(() => same) });
  });
  afterAll(() => gw?.close());

  it('records the step refused and names the setting to raise', async () => {
    const path = `/api/v2/tenants/default_tenant/databases/default_database/collections/${col.id}/indexing_status`;
    const body = await until(
      'the step refused',
      async () => (await http(gw.url, 'GET', path)).body,
      (b) => b.vecgate_hnsw_index?.builds?.some((x: { outcome: string }) => x.outcome === 'too large'),
    );
    expect(body.vecgate_hnsw_index.m).toBe(16);
    expect(body.vecgate_hnsw_index.builds.map((b: { m: number; outcome: string }) => [b.m, b.outcome])).toEqual([
      [16, 'built'],
      [24, 'too large'],
    ]);
    const shortfall = (
      await until(
        'the shortfall naming the bound',
        async () => (await http(gw.url, 'GET', path)).body,
        (b) => String(b.vecgate_search_tuning?.shortfall).includes('VECGATE_REBUILD_MAX_SIZE'),
      )
    ).vecgate_search_tuning.shortfall;
    expect(shortfall).toContain('VECGATE_REBUILD_MAX_SIZE (1) times the size of the first index');
    expect(gw.logs.lines.some((l) => String(l.msg).includes('no rebuild with m 24'))).toBe(true);
  });
});
