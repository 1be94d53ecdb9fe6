import { ChromaBm25EmbeddingFunction } from '@chroma-core/chroma-bm25';
import {
  ChromaClient,
  type Collection,
  GroupBy,
  K,
  Knn,
  MinK,
  MaxK,
  Rrf,
  Schema,
  Search,
  Select,
  SparseVectorIndexConfig,
  Val,
  VectorIndexConfig,
} from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { http, gatewayForFile, startGateway, type TestGateway } from '../../support/gateway';
import { until, waitIndexed } from '../../support/wait';
import { pineconeClient, prng } from '../../support/pinecone';

/**
 * Chroma's Search API (`collection.search()`, which single-node Chroma answers "not implemented")
 * through the 3.5 client's own builders. Every expected answer is computed here from the records,
 * by Chroma's rules (rank.rs): a knn scores its `limit` nearest; a record missing from a knn
 * without a default is not scored; lower scores first, ties in insertion order.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const DIM = 4;
const CATEGORIES = ['a', 'b', 'c'];

interface Row {
  id: string;
  embedding: number[];
  category: string;
  n: number;
  document: string;
}

const next = prng(7);
const ROWS: Row[] = Array.from({ length: 60 }, (_, i) => ({
  id: `r${i}`,
  embedding: Array.from({ length: DIM }, () => Math.round(next() * 1000) / 1000),
  category: CATEGORIES[i % 3],
  n: i,
  document: i % 4 === 0 ? `a red fox number ${i}` : `a blue whale number ${i}`,
}));

const l2 = (a: number[], b: number[]) => a.reduce((s, x, k) => s + (x - b[k]) ** 2, 0);

/** A knn list as Chroma computes it: the `limit` nearest of the rows kept, with distance and rank. */
function knnList(query: number[], limit: number, keep: (r: Row) => boolean = () => true) {
  return ROWS.filter(keep)
    .map((r) => ({ id: r.id, m: l2(r.embedding, query), order: r.n }))
    .sort((x, y) => x.m - y.m || x.order - y.order)
    .slice(0, limit)
    .map((x, rank) => ({ ...x, r: rank }));
}

const Q1 = [0.2, 0.4, 0.6, 0.8];
const Q2 = [0.9, 0.1, 0.5, 0.3];

describe("Chroma's Search API", () => {
  const gw = gatewayForFile();
  let client: ChromaClient;
  let coll: Collection;

  beforeAll(async () => {
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    coll = await client.createCollection({ name: 'search-api', embeddingFunction: null });
    await coll.add({
      ids: ROWS.map((r) => r.id),
      embeddings: ROWS.map((r) => r.embedding),
      documents: ROWS.map((r) => r.document),
      metadatas: ROWS.map((r) => ({ category: r.category, n: r.n })),
    });
  });

  it('ranks by one dense knn as query() does, with scores, documents and metadata as selected', async () => {
    const result = await coll.search(
      new Search()
        .rank(Knn({ query: Q1, limit: 20 }))
        .limit(7)
        .select(K.DOCUMENT, K.SCORE, 'category'),
    );
    const expected = knnList(Q1, 20).slice(0, 7);
    expect(result.ids[0]).toEqual(expected.map((e) => e.id));
    expected.forEach((e, i) => expect(result.scores[0]![i]).toBeCloseTo(e.m, 5));
    expect(result.documents[0]).toEqual(expected.map((e) => ROWS.find((r) => r.id === e.id)!.document));
    // Only the selected field of the metadata.
    expect(result.metadatas[0]).toEqual(expected.map((e) => ({ category: ROWS.find((r) => r.id === e.id)!.category })));
    expect(result.embeddings[0]).toBeNull();
    const query = await coll.query({ queryEmbeddings: [Q1], nResults: 7 });
    expect(result.ids[0]).toEqual(query.ids[0]);
    const rows = result.rows()[0];
    expect(rows[0]).toEqual({
      id: expected[0].id,
      document: ROWS.find((r) => r.id === expected[0].id)!.document,
      metadata: { category: ROWS.find((r) => r.id === expected[0].id)!.category },
      score: result.scores[0]![0],
    });
  });

  it('pages, and without a rank returns the filtered records in insertion order', async () => {
    const page = await coll.search(new Search().rank(Knn({ query: Q1, limit: 30 })).limit(5, 10));
    expect(page.ids[0]).toEqual(
      knnList(Q1, 30)
        .slice(10, 15)
        .map((e) => e.id),
    );
    const plain = await coll.search(
      new Search().where(K('category').eq('b')).limit(4).select(K.METADATA, K.SCORE, K.EMBEDDING),
    );
    const bs = ROWS.filter((r) => r.category === 'b').slice(0, 4);
    expect(plain.ids[0]).toEqual(bs.map((r) => r.id));
    expect(plain.scores[0]).toEqual([null, null, null, null]);
    expect(plain.metadatas[0]).toEqual(bs.map((r) => ({ category: 'b', n: r.n })));
    plain.embeddings[0]!.forEach((e, i) => e!.forEach((x, k) => expect(x).toBeCloseTo(bs[i].embedding[k], 6)));
    expect(plain.select[0]).toEqual(['#embedding', '#metadata', '#score']);
  });

  it('filters with where, #id and #document before the knn', async () => {
    const ids = ROWS.filter((r) => r.n % 2 === 0).map((r) => r.id);
    const result = await coll.search(
      new Search()
        .where(K.ID.isIn(ids).and(K.DOCUMENT.contains('fox')).and(K('n').gte(8)))
        .rank(Knn({ query: Q2, limit: 50 }))
        .select(K.SCORE),
    );
    const keep = (r: Row) => r.n % 2 === 0 && r.document.includes('fox') && r.n >= 8;
    expect(result.ids[0]).toEqual(knnList(Q2, 50, keep).map((e) => e.id));
    expect(result.ids[0].length).toBeGreaterThan(3);
    const notIn = await coll.search(new Search().where(K.ID.notIn(ids)).limit(100));
    expect(notIn.ids[0]).toEqual(ROWS.filter((r) => r.n % 2 === 1).map((r) => r.id));
  });

  it('fuses two dense lists with Rrf exactly as rank.rs evaluates its expression', async () => {
    const k = 60;
    // Default: each knn without a default, so only records in both lists are scored.
    const both = await coll.search(
      new Search()
        .rank(
          Rrf({
            ranks: [Knn({ query: Q1, limit: 25, returnRank: true }), Knn({ query: Q2, limit: 25, returnRank: true })],
            weights: [0.7, 0.3],
            k,
          }),
        )
        .limit(50)
        .select(K.SCORE),
    );
    const a = new Map(knnList(Q1, 25).map((e) => [e.id, e.r]));
    const b = new Map(knnList(Q2, 25).map((e) => [e.id, e.r]));
    const fused = [...a.keys()]
      .filter((id) => b.has(id))
      .map((id) => ({ id, s: -(0.7 / (a.get(id)! + k) + 0.3 / (b.get(id)! + k)), n: Number(id.slice(1)) }))
      .sort((x, y) => x.s - y.s || x.n - y.n);
    expect(both.ids[0]).toEqual(fused.map((f) => f.id));
    fused.forEach((f, i) => expect(both.scores[0]![i]).toBeCloseTo(f.s, 6));
    // With defaults, a record in either list is scored; the missing rank counts as the default.
    const either = await coll.search(
      new Search()
        .rank(
          Rrf({
            ranks: [
              Knn({ query: Q1, limit: 10, returnRank: true, default: 1000 }),
              Knn({ query: Q2, limit: 10, returnRank: true, default: 1000 }),
            ],
          }),
        )
        .limit(100),
    );
    const a10 = new Map(knnList(Q1, 10).map((e) => [e.id, e.r]));
    const b10 = new Map(knnList(Q2, 10).map((e) => [e.id, e.r]));
    const union = [...new Set([...a10.keys(), ...b10.keys()])]
      .map((id) => ({
        id,
        s: -(1 / ((a10.get(id) ?? 1000) + k) + 1 / ((b10.get(id) ?? 1000) + k)),
        n: Number(id.slice(1)),
      }))
      .sort((x, y) => x.s - y.s || x.n - y.n);
    expect(either.ids[0]).toEqual(union.map((u) => u.id));
  });

  it('evaluates arithmetic, min/max and the functions as Chroma does, infinities included', async () => {
    const knn = Knn({ query: Q1, limit: 12 });
    const list = knnList(Q1, 12);
    const cases: [Search, (m: number) => number][] = [
      [new Search().rank(knn.multiply(2).add(Val(1))), (m) => 2 * m + 1],
      [new Search().rank(knn.subtract(Val(0.5)).abs()), (m) => Math.abs(m - 0.5)],
      [new Search().rank(knn.max(Val(0.3))), (m) => Math.max(m, 0.3)],
      [new Search().rank(knn.min(Val(0.3)).negate()), (m) => -Math.min(m, 0.3)],
      [new Search().rank(knn.exp().log()), (m) => m],
      [new Search().rank(Val(1).divide(knn.add(Val(1)))), (m) => 1 / (m + 1)],
    ];
    for (const [search, f] of cases) {
      const result = await coll.search(search.limit(12).select(K.SCORE));
      const expected = list.map((e) => ({ id: e.id, s: f(e.m), n: e.order })).sort((x, y) => x.s - y.s || x.n - y.n);
      expect(result.ids[0]).toEqual(expected.map((e) => e.id));
      expected.forEach((e, i) => expect(result.scores[0]![i]).toBeCloseTo(e.s, 4));
    }
    // x / 0 and ln(0) are infinities in Chroma's float arithmetic, not errors; JSON shows them as null.
    const inf = await coll.search(
      new Search()
        .rank(knn.divide(Val(0)))
        .limit(3)
        .select(K.SCORE),
    );
    expect(inf.ids[0]).toHaveLength(3);
    expect(inf.scores[0]).toEqual([null, null, null]);
  });

  it('groups by a metadata key and keeps the k best of each group', async () => {
    const result = await coll.search(
      new Search()
        .rank(Knn({ query: Q2, limit: 40 }))
        .groupBy(new GroupBy([K('category')], new MinK([K.SCORE], 2)))
        .limit(20)
        .select(K.SCORE, 'category'),
    );
    const list = knnList(Q2, 40);
    const expected = CATEGORIES.flatMap((c) =>
      list.filter((e) => ROWS.find((r) => r.id === e.id)!.category === c).slice(0, 2),
    ).sort((x, y) => x.m - y.m || x.order - y.order);
    expect(result.ids[0]).toEqual(expected.map((e) => e.id));
    // MaxK on a metadata key: the greatest n of each category.
    const byN = await coll.search(
      new Search()
        .rank(Knn({ query: Q2, limit: 60 }))
        .groupBy(new GroupBy([K('category')], new MaxK([K('n')], 1)))
        .select('n'),
    );
    expect(new Set(byN.metadatas[0]!.map((m) => m!.n))).toEqual(new Set([57, 58, 59]));
  });

  it('runs several searches in one request, each answered in its own list', async () => {
    const result = await coll.search([
      new Search().rank(Knn({ query: Q1, limit: 3 })).select(K.SCORE),
      new Search().where(K('category').eq('c')).limit(2).select(K.DOCUMENT),
    ]);
    expect(result.ids).toHaveLength(2);
    expect(result.ids[0]).toEqual(knnList(Q1, 3).map((e) => e.id));
    expect(result.documents[0]).toBeNull();
    expect(result.scores[1]).toBeNull();
    expect(result.documents[1]).toEqual(
      ROWS.filter((r) => r.category === 'c')
        .slice(0, 2)
        .map((r) => r.document),
    );
    // Select.all(): every system key, in Chroma's order.
    const all = await coll.search(new Search().rank(Knn({ query: Q1, limit: 1 })).select(Select.all()));
    expect(all.select[0]).toEqual(['#document', '#embedding', '#metadata', '#score']);
    const best = ROWS.find((r) => r.id === knnList(Q1, 1)[0].id)!;
    expect(all.rows()[0][0]).toEqual({
      id: best.id,
      document: best.document,
      embedding: best.embedding,
      metadata: { category: best.category, n: best.n },
      score: all.scores[0]![0],
    });
  });

  it("answers malformed searches with Chroma's errors and changes nothing", async () => {
    const url = `${P}/collections/${coll.id}/search`;
    const cases: [unknown, number, string][] = [
      [{}, 422, 'missing field `searches`'],
      [{ searches: [{ rank: { $nope: 1 } }] }, 422, 'unknown variant `$nope`'],
      [{ searches: [{ rank: { $knn: { limit: 3 } } }] }, 422, 'missing field `query`'],
      // Text where Chroma 1.0.0 answers 422 (QueryVector): vecgate embeds text only for a collection
      // whose function the operator mapped (integrated-embedding.spec.ts), and says so.
      [
        { searches: [{ rank: { $knn: { query: 'text' } } }] },
        400,
        'A $knn query given as text needs an embedding function the gateway runs',
      ],
      [{ searches: [{ rank: { $knn: { query: [1, 2] } } }] }, 400, 'dimension'],
      [{ searches: [{ rank: { $sub: { left: { $val: 1 } } } }] }, 422, 'missing field `right`'],
      [{ searches: [{ rank: { $val: 'x' } }] }, 422, 'expected f32'],
      [{ searches: [{ limit: { limit: -1 } }] }, 422, 'expected u32'],
      [
        { searches: [{ group_by: { keys: ['category'], aggregate: { $min_k: { keys: ['#score'], k: 1 } } } }] },
        400,
        'group_by requires rank expression to be specified',
      ],
      [
        { searches: [{ rank: { $knn: { query: Q1 } }, group_by: { keys: ['category'] } }] },
        400,
        'group_by keys and aggregate must both be specified or both be omitted',
      ],
      [
        {
          searches: [
            {
              rank: { $knn: { query: Q1 } },
              group_by: { keys: ['#score'], aggregate: { $min_k: { keys: ['#score'], k: 1 } } },
            },
          ],
        },
        400,
        'group_by keys must be metadata fields',
      ],
      [
        { searches: [{ rank: { $knn: { query: { indices: [1, 2], values: [1, 1] }, key: 'nothing' } } }] },
        400,
        "Cannot filter using metadata key 'nothing' with type 'SparseVector' because indexing is disabled",
      ],
      [{ searches: [{ rank: { $knn: { query: Q1, key: 'other' } } }] }, 400, "'other' holds no dense vectors"],
      [{ searches: [{ rank: { $knn: { query: Q1, limit: 1_000_000 } } }] }, 400, 'limit may be at most'],
      [{ searches: [{ filter: { k: { $bad: 1 } } }] }, 400, 'Invalid where clause: unknown operator "$bad" on key "k"'],
      [{ searches: [{ filter: { '#id': { $gt: 1 } } }] }, 400, 'Invalid where clause: unknown operator "$gt" on "#id"'],
      [{ searches: [], read_level: 'sometimes' }, 422, 'unknown variant `sometimes`'],
      [{ searches: Array(101).fill({}) }, 400, 'at most 100 searches'],
      [
        { searches: [{ rank: { $mul: [{ $knn: { query: Q1 } }, ...Array(9).fill({ $val: 3e38 })] } }] },
        400,
        'out of range',
      ],
    ];
    for (const [body, status, message] of cases) {
      const res = await http(gw.url, 'POST', url, body);
      expect({ body, status: res.status }).toEqual({ body, status });
      expect({ body, message: res.body.message }).toEqual({ body, message: expect.stringContaining(message) });
    }
    expect(await coll.count()).toBe(ROWS.length);
    // An empty search list answers empty columns; read_level is accepted.
    const empty = await http(gw.url, 'POST', url, { searches: [], read_level: 'index_only' });
    expect(empty.body).toEqual({ ids: [], documents: [], embeddings: [], metadatas: [], scores: [], select: [] });
  });

  it('runs the search case the client suite skips for single-node Chroma', async () => {
    const handle = client.collection(coll.id);
    const results = await handle.search(new Search().rank({ $knn: { query: Q1 } }).limit(2));
    expect(results.ids[0]).toEqual(
      knnList(Q1, 16)
        .slice(0, 2)
        .map((e) => e.id),
    );
  });
});

describe('Sparse vectors, BM25 and hybrid search', () => {
  const gw = gatewayForFile();
  let client: ChromaClient;
  const bm25 = new ChromaBm25EmbeddingFunction();
  const DOCS = [
    'The quick brown fox jumps over the lazy dog',
    'A fast red fox leaped across a sleeping hound',
    'Whales are the largest mammals living in the ocean',
    'The blue whale sings songs that travel far under water',
    'Postgres stores rows in pages on disk',
    'Vector search finds the nearest neighbours of a query',
    'Foxes are small omnivorous mammals of the dog family',
    'The ocean covers most of the surface of the earth',
  ];
  const EMB = DOCS.map((_, i) => [Math.cos(i), Math.sin(i), (i % 3) / 3]);

  it('indexes BM25 vectors the client computes, ranks a text query by them, and fuses with dense', async () => {
    const schema = new Schema().createIndex(
      new SparseVectorIndexConfig({ sourceKey: K.DOCUMENT, embeddingFunction: bm25 }),
      'bm25',
    );
    const coll = await client.createCollection({ name: 'bm25-docs', schema, embeddingFunction: null });
    await coll.add({ ids: DOCS.map((_, i) => `d${i}`), embeddings: EMB, documents: DOCS });
    // The client put each document's BM25 vector in its metadata; get returns it as sent.
    const got = await coll.get({ ids: ['d0'], include: ['metadatas'] });
    const [d0] = await bm25.generate([DOCS[0]]);
    expect(got.metadatas[0]!.bm25).toEqual(d0);

    // A text query: the client embeds it with the schema's BM25 function; vecgate ranks by 1 − dot.
    const text = 'fox dog';
    const result = await coll.search(new Search().rank(Knn({ query: text, key: 'bm25', limit: 10 })).select(K.SCORE));
    const [q] = await bm25.generate([text]);
    const docVectors = await bm25.generate(DOCS);
    const dot = (v: { indices: number[]; values: number[] }) =>
      v.indices.reduce(
        (s, idx, k) => s + (q.indices.includes(idx) ? v.values[k] * q.values[q.indices.indexOf(idx)] : 0),
        0,
      );
    const expected = docVectors
      .map((v, i) => ({ id: `d${i}`, s: 1 - dot(v), hit: dot(v) !== 0, i }))
      .filter((e) => e.hit)
      .sort((x, y) => x.s - y.s || x.i - y.i);
    expect(result.ids[0]).toEqual(expected.map((e) => e.id));
    expected.forEach((e, i) => expect(result.scores[0]![i]).toBeCloseTo(e.s, 4));
    expect(result.ids[0]).toEqual(expect.arrayContaining(['d0', 'd6']));

    // Hybrid: dense + BM25 fused by Rrf; records only one list found still count (defaults).
    const hybrid = await coll.search(
      new Search()
        .rank(
          Rrf({
            ranks: [
              Knn({ query: EMB[2], limit: 4, returnRank: true, default: 100 }),
              Knn({ query: 'whale ocean', key: 'bm25', limit: 4, returnRank: true, default: 100 }),
            ],
          }),
        )
        .limit(3)
        .select(K.DOCUMENT),
    );
    expect(hybrid.ids[0][0]).toBe('d2');
    expect(hybrid.ids[0]).toEqual(expect.arrayContaining(['d3']));

    // A sparse knn on a key without a sparse index is Chroma's error.
    await expect(
      coll.search(new Search().rank(Knn({ query: { indices: [1], values: [1] }, key: 'other' }))),
    ).rejects.toThrow("Cannot filter using metadata key 'other' with type 'SparseVector' because indexing is disabled");
  });

  it('keeps the sparse vector column in step with the metadata key on upsert, update and removal', async () => {
    const schema = new Schema().createIndex(new SparseVectorIndexConfig({ bm25: false }), 'sv');
    const coll = await client.createCollection({ name: 'sparse-updates', schema, embeddingFunction: null });
    await coll.add({
      ids: ['x', 'y'],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
      ],
      metadatas: [{ sv: { indices: [5, 3_000_000_000], values: [1, 2] } }, { sv: { indices: [5], values: [0.5] } }],
    });
    const search = () =>
      coll.search(
        new Search().rank(Knn({ query: { indices: [3_000_000_000], values: [1] }, key: 'sv' })).select(K.SCORE),
      );
    // An index past pgvector's range (BM25 hashes use 31 bits and more) still matches itself.
    let r = await search();
    expect(r.ids[0]).toEqual(['x']);
    expect(r.scores[0]![0]).toBeCloseTo(1 - 2, 6);
    await coll.update({ ids: ['y'], metadatas: [{ sv: { indices: [3_000_000_000], values: [4] } }] });
    r = await search();
    expect(r.ids[0]).toEqual(['y', 'x']);
    // Removing the key (null in an update) takes the record out of sparse searches.
    // (The JS client drops null metadata values before sending, so this goes over HTTP.)
    const removed = await http(gw.url, 'POST', `${P}/collections/${coll.id}/update`, {
      ids: ['y'],
      metadatas: [{ sv: null }],
    });
    expect(removed.status).toBe(200);
    r = await search();
    expect(r.ids[0]).toEqual(['x']);
    // Upsert of other metadata keeps the sparse vector.
    await coll.upsert({ ids: ['x'], embeddings: [[1, 0, 0]], metadatas: [{ tag: 'kept' }] });
    r = await search();
    expect(r.ids[0]).toEqual(['x']);
    const got = await coll.get({ ids: ['x'], include: ['metadatas'] });
    expect(got.metadatas[0]).toEqual({ sv: { indices: [5, 3_000_000_000], values: [1, 2] }, tag: 'kept' });
  });

  it('shares sparse vectors with Pinecone: written by either, searched by both', async () => {
    // Pinecone keeps sparse values on dot-product indexes: the schema sets the space too.
    const schema = new Schema()
      .createIndex(new VectorIndexConfig({ space: 'ip' }))
      .createIndex(new SparseVectorIndexConfig({ bm25: false }), 'sparse');
    const coll = await client.createCollection({ name: 'shared-sparse', schema, embeddingFunction: null });
    await coll.add({
      ids: ['chroma-1'],
      embeddings: [[0.1, 0.2]],
      metadatas: [{ sparse: { indices: [7, 11], values: [0.5, 1.5] } }],
    });
    const pc = pineconeClient(gw);
    const index = pc.index({ name: 'shared-sparse' });
    await index.upsert({
      records: [{ id: 'pinecone-1', values: [0.3, 0.4], sparseValues: { indices: [7, 20], values: [2, 1] } }],
    });
    // Chroma's sparse knn finds both, the Pinecone record first (7: 2 × 1 against 0.5 × 1).
    const r = await coll.search(
      new Search().rank(Knn({ query: { indices: [7], values: [1] }, key: 'sparse' })).select(K.SCORE, K.METADATA),
    );
    expect(r.ids[0]).toEqual(['pinecone-1', 'chroma-1']);
    expect(r.scores[0]).toEqual([1 - 2, 1 - 0.5]);
    // The Pinecone record's sparse values show under the sparse key.
    expect(r.metadatas[0]![0]).toEqual({ sparse: { indices: [7, 20], values: [2, 1] } });
    // Pinecone's hybrid query sees the record Chroma wrote, sparse values included.
    const fetched = await index.fetch({ ids: ['chroma-1'] });
    expect(fetched.records['chroma-1'].sparseValues).toEqual({ indices: [7, 11], values: [0.5, 1.5] });
  });

  beforeAll(() => {
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
  });
});

describe('Search API over an HNSW-indexed collection', () => {
  let gw: TestGateway;
  let coll: Collection;
  const N = 2400;
  const gen = prng(11);
  const centres = Array.from({ length: 8 }, () => Array.from({ length: 8 }, () => gen()));
  const vectors = Array.from({ length: N }, (_, i) => centres[i % 8].map((c) => c + (gen() - 0.5) * 0.1));

  beforeAll(async () => {
    // Search tuning off: its walks would count as scans of the HNSW index.
    gw = await startGateway({ indexing: { ...loadConfig({}).indexing, minRows: 1000, quietMs: 500, recallTarget: 0 } });
    const client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    coll = await client.createCollection({ name: 'search-indexed', embeddingFunction: null });
    for (let start = 0; start < N; start += 800) {
      await coll.add({
        ids: vectors.slice(start, start + 800).map((_, k) => `v${start + k}`),
        embeddings: vectors.slice(start, start + 800),
        metadatas: vectors.slice(start, start + 800).map((_, k) => ({ cluster: (start + k) % 8 })),
      });
    }
    await waitIndexed(gw.url, coll.id);
  });
  afterAll(() => gw?.close());

  it('walks the HNSW index for an unfiltered knn and finds what query() finds', async () => {
    const table = (await gw.db.query(`SELECT table_name FROM vecgate_collections WHERE id = $1`, [coll.id])).rows[0]
      .table_name;
    const scans = async () =>
      (
        await gw.db.query(
          `SELECT pg_stat_clear_snapshot(), (SELECT coalesce(sum(idx_scan), 0)::int FROM pg_stat_user_indexes
           WHERE schemaname = 'vecgate_records' AND indexrelname = $1) AS n`,
          [`${table}_hnsw`],
        )
      ).rows[0].n as number;
    const before = await scans();
    for (const q of [vectors[3], vectors[100], vectors[2001]]) {
      const found = await coll.search(new Search().rank(Knn({ query: q, limit: 20 })).limit(10));
      const queried = await coll.query({ queryEmbeddings: [q], nResults: 10 });
      expect(found.ids[0]).toEqual(queried.ids[0]);
    }
    await until('the index scans published', scans, (n) => n >= before + 6);
    // A filter keeping one cluster in eight: the walk goes on (iterative scan) until the list is full.
    const filtered = await coll.search(
      new Search()
        .where(K('cluster').eq(3))
        .rank(Knn({ query: vectors[5], limit: 15 }))
        .select('cluster'),
    );
    expect(filtered.ids[0]).toHaveLength(15);
    expect(filtered.metadatas[0]!.every((m) => m!.cluster === 3)).toBe(true);
  });
});
