import { ChromaClient, type Collection } from 'chromadb';
import { createScratchDatabase, http, startGateway, usingPostgres, type TestGateway } from '../../support/gateway';

/**
 * count answers from the per-namespace counts each write keeps (vecgate_record_counts), not from a
 * scan of the table: every write path must keep them exact, including racing writers on two
 * replicas. Each check compares count with the ids the collection actually holds.
 */

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const vec = (i: number) => [1 + (i % 7), (i * 13) % 11, 1];

describe('record counts', () => {
  let scratch: { url: string; drop(): Promise<void> } | undefined;
  let gateways: TestGateway[] = [];
  let clients: ChromaClient[] = [];

  beforeAll(async () => {
    if (usingPostgres()) {
      scratch = await createScratchDatabase();
      gateways = [
        await startGateway({}, { databaseUrl: scratch.url }),
        await startGateway({}, { databaseUrl: scratch.url }),
      ];
    } else {
      gateways = [await startGateway()];
    }
    clients = gateways.map((g) => new ChromaClient({ host: '127.0.0.1', port: g.port }));
  });

  afterAll(async () => {
    for (const g of gateways) await g.close();
    await scratch?.drop();
  });

  const client = (i: number) => clients[i % clients.length];

  async function held(col: Collection): Promise<number> {
    return (await col.get({ include: [] })).ids.length;
  }

  it('stays exact through add, upsert, update, delete by ids, by where and with a limit, and a fork', async () => {
    const col = await client(0).createCollection({ name: 'counted', embeddingFunction: null });
    await col.add({
      ids: range(30).map((i) => `r${i}`),
      embeddings: range(30).map(vec),
      metadatas: range(30).map((i) => ({ b: i % 3 })),
    });
    await col.add({ ids: ['r0', 'r1', 'x1'], embeddings: [vec(0), vec(1), vec(2)] }); // two exist: one new
    expect(await col.count()).toBe(31);
    await col.upsert({
      ids: ['r2', 'x2', 'x3'],
      embeddings: [vec(3), vec(4), vec(5)],
      metadatas: [{ b: 9 }, { b: 9 }, { b: 9 }],
    });
    await col.update({ ids: ['r3', 'nope'], metadatas: [{ b: 7 }, { b: 7 }] });
    expect(await col.count()).toBe(33);
    await col.delete({ ids: ['r4', 'r5', 'nope'] });
    await col.delete({ where: { b: 0 } });
    const limited = await http(
      gateways[0].url,
      'POST',
      `/api/v2/tenants/default_tenant/databases/default_database/collections/${col.id}/delete`,
      { where: { b: 1 }, limit: 2 },
    );
    expect(limited.status).toBe(200);
    expect(await col.count()).toBe(await held(col));
    const fork = await col.fork({ name: 'counted-fork' });
    expect(await fork.count()).toBe(await held(col));
    await fork.delete({ where: { b: 2 } });
    expect(await fork.count()).toBe(await held(fork));
    expect(await col.count()).toBe(await held(col));
  });

  it('stays exact when adds, upserts and deletes of overlapping ids race across the replicas', async () => {
    const name = 'counted-race';
    await client(0).createCollection({ name, embeddingFunction: null });
    const handles = await Promise.all(clients.map((c) => c.getOrCreateCollection({ name, embeddingFunction: null })));
    const on = (i: number) => handles[i % handles.length];
    await on(0).add({ ids: range(40).map((i) => `s${i}`), embeddings: range(40).map(vec) });
    const calls = range(36).map((i) => {
      const ids = range(8).map((j) => `s${(i * 5 + j) % 60}`);
      if (i % 3 === 0) return on(i).add({ ids, embeddings: ids.map((_, j) => vec(i + j)) });
      if (i % 3 === 1) return on(i).upsert({ ids, embeddings: ids.map((_, j) => vec(i + j)) });
      return on(i).delete({ ids });
    });
    await Promise.all(calls);
    const counts = await Promise.all(handles.map((h) => h.count()));
    const actual = await held(on(0));
    expect(counts).toEqual(handles.map(() => actual));
  });

  it('keeps Pinecone namespaces and describe_index_stats counted through upserts of new and existing ids, delete by filter and deleteAll', async () => {
    const gw = gateways[0].url;
    const created = await http(gw, 'POST', '/indexes', {
      name: 'counted-index',
      dimension: 3,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect(created.status).toBe(201);
    const base = '/indexes/counted-index';
    const upsert = (ids: string[], namespace: string) =>
      http(gw, 'POST', `${base}/vectors/upsert`, {
        namespace,
        vectors: ids.map((id, i) => ({ id, values: vec(i), metadata: { g: i % 2 } })),
      });
    expect(
      (
        await upsert(
          range(10).map((i) => `p${i}`),
          'a',
        )
      ).status,
    ).toBe(200);
    expect((await upsert(['p8', 'p9', 'p10'], 'a')).status).toBe(200); // two replaced, one new
    expect((await upsert(['q1', 'q2'], 'b')).status).toBe(200);
    expect(
      (await http(gw, 'POST', `${base}/vectors/delete`, { namespace: 'a', filter: { g: { $eq: 0 } } })).status,
    ).toBe(200);
    const a = await http(gw, 'GET', `${base}/namespaces/a`);
    const fetched = await http(gw, 'GET', `${base}/vectors/list?namespace=a&limit=100`);
    expect(a.body.record_count).toBe(fetched.body.vectors.length);
    const stats = await http(gw, 'POST', `${base}/describe_index_stats`, {});
    expect(stats.body.namespaces).toEqual({ a: { vectorCount: fetched.body.vectors.length }, b: { vectorCount: 2 } });
    expect(stats.body.totalVectorCount).toBe(fetched.body.vectors.length + 2);
    expect((await http(gw, 'POST', `${base}/vectors/delete`, { namespace: 'b', deleteAll: true })).status).toBe(200);
    expect((await http(gw, 'GET', `${base}/namespaces/b`)).body.record_count).toBe(0);
  });
});
