import { loadConfig } from '../../../src/config/load-config';
import { RecordTableRepository } from '../../../src/core/collections/record-table.repository';
import { gatewayForFile } from '../../support/gateway';
import { until } from '../../support/wait';
import { collectionName, expectQdrantError, qdrantClient, qdrantHttp, type QdrantClient } from './qdrant-helpers';

/**
 * Each vector's own `hnsw_config` and `quantization_config` (Qdrant's per-vector settings over the
 * collection's), shown back as Qdrant shows them and changed by update_collection; the HNSW index
 * of each vector built with its own m and ef_construct; `indexing_threshold` as the point from
 * which indexes are built; the warnings of collection info; removing a collection's first dense
 * and sparse vectors; the sizes a vector added may have.
 */
describe('Qdrant per-vector config', () => {
  // The operator's threshold high, so that only a collection's own indexing_threshold builds its indexes here.
  const gw = gatewayForFile({
    qdrantPort: 0,
    indexing: { ...loadConfig({}).indexing, minRows: 100_000, quietMs: 300, recallTarget: 0 },
  });
  let q: QdrantClient;

  beforeAll(async () => {
    q = await qdrantClient(gw);
  });

  /** The HNSW index definitions of a collection's table, by column. */
  async function indexDefs(name: string): Promise<Record<string, string>> {
    const { rows } = await gw.db.query(
      `SELECT i.indexdef FROM vecgate_collections c JOIN pg_indexes i
       ON i.schemaname = 'vecgate_records' AND i.tablename = c.table_name WHERE c.name = $1 AND i.indexdef LIKE '%hnsw%'`,
      [name],
    );
    return Object.fromEntries(
      rows.map((r) => {
        const [, column, settings] = /USING hnsw \((\w+) \w+\) WITH \((.*)\)/.exec(r.indexdef)!;
        return [column, settings];
      }),
    );
  }

  const point = (i: number) => ({
    id: i + 1,
    vector: {
      image: [1 + (i % 7), 2, (i * 3) % 5, 1],
      audio: [(i % 4) + 1, 1, 2, (i * 7) % 3],
      text: Array.from({ length: 8 }, (_, k) => ((i * (k + 3)) % 11) + 1),
    },
  });

  /** Qdrant's own test's collection: vector settings over the collection's, and `quantization` for `quantization_config`. */
  async function created(indexingThreshold?: number): Promise<string> {
    const name = collectionName('vcfg');
    const res = await qdrantHttp(gw).put(`/collections/${name}`, {
      vectors: {
        image: { size: 4, distance: 'Dot', hnsw_config: { m: 20 }, on_disk: true },
        audio: {
          size: 4,
          distance: 'Dot',
          hnsw_config: { ef_construct: 100 },
          quantization: { scalar: { type: 'int8', quantile: 0.6 } },
        },
        text: { size: 8, distance: 'Cosine', quantization_config: { scalar: { type: 'int8', always_ram: true } } },
      },
      hnsw_config: { m: 10, ef_construct: 80 },
      quantization: { scalar: { type: 'int8', quantile: 0.5 } },
      ...(indexingThreshold !== undefined && { optimizers_config: { indexing_threshold: indexingThreshold } }),
    });
    expect(res.status).toBe(200);
    return name;
  }

  it('shows each vector’s own settings as sent and the collection’s as its own', async () => {
    const name = await created();
    const { config } = await q.getCollection(name);
    expect(config.params.vectors).toEqual({
      image: { size: 4, distance: 'Dot', hnsw_config: { m: 20 }, on_disk: true },
      audio: {
        size: 4,
        distance: 'Dot',
        hnsw_config: { ef_construct: 100 },
        quantization_config: { scalar: { type: 'int8', quantile: 0.6 } },
      },
      text: { size: 8, distance: 'Cosine', quantization_config: { scalar: { type: 'int8', always_ram: true } } },
    });
    expect(config.hnsw_config).toMatchObject({ m: 10, ef_construct: 80 });
    expect(config.quantization_config).toEqual({ scalar: { type: 'int8', quantile: 0.5 } });
  });

  it('builds each vector’s index with its own m and ef_construct once indexing_threshold is passed', async () => {
    // 1 kB: 32 points of the largest vector (8 dimensions of 4 bytes).
    const name = await created(1);
    await q.upsert(name, { wait: true, points: Array.from({ length: 40 }, (_, i) => point(i)) });
    const info = await until(
      'the three indexes built',
      () => q.getCollection(name),
      (i) => i.status === 'green' && i.indexed_vectors_count === 40,
    );
    expect(info.config.optimizer_config.indexing_threshold).toBe(1);
    expect(await indexDefs(name)).toEqual({
      embedding: "m='20', ef_construction='80'",
      v1: "m='10', ef_construction='100'",
      v2: "m='10', ef_construction='80'",
    });

    // A vector's own change, merged into its settings; then the collection's, which reaches the vectors without their own.
    await q.updateCollection(name, { vectors: { image: { hnsw_config: { ef_construct: 90 } } } });
    expect((await indexDefs(name)).embedding).toBe("m='20', ef_construction='90'");
    await q.updateCollection(name, { hnsw_config: { m: 12 } });
    const after = await q.getCollection(name);
    expect(after.config.hnsw_config).toMatchObject({ m: 12, ef_construct: 80 });
    expect(after.config.params.vectors).toMatchObject({ image: { hnsw_config: { m: 20, ef_construct: 90 } } });
    await until(
      'the rebuilt indexes',
      () => indexDefs(name),
      (defs) =>
        defs.embedding === "m='20', ef_construction='90'" &&
        defs.v1 === "m='12', ef_construction='100'" &&
        defs.v2 === "m='12', ef_construction='80'",
    );
    const found = await q.query(name, { query: point(3).vector.audio, using: 'audio', limit: 3 });
    expect(found.points).toHaveLength(3);
    // A vector added later takes the collection's settings, not the first vector's own.
    await q.createVectorName(name, 'extra', { dense: { size: 2, distance: 'Dot' } });
    const { rows } = await gw.db.query(
      `SELECT v.index FROM vecgate_collection_vectors v JOIN vecgate_collections c ON c.id = v.collection_id
       WHERE c.name = $1 AND v.name = 'extra'`,
      [name],
    );
    expect(rows[0].index).toMatchObject({ m: 12, efConstruction: 80 });
  });

  it('builds no index where indexing_threshold is 0', async () => {
    const off = await created(0);
    const on = await created(1);
    await q.upsert(off, { wait: true, points: Array.from({ length: 40 }, (_, i) => point(i)) });
    await q.upsert(on, { wait: true, points: Array.from({ length: 40 }, (_, i) => point(i)) });
    await until(
      'the other collection indexed',
      () => q.getCollection(on),
      (i) => i.indexed_vectors_count === 40,
    );
    const info = await q.getCollection(off);
    expect(info).toMatchObject({ status: 'green', indexed_vectors_count: 0, points_count: 40 });
    const ids = (
      await gw.db.query(`SELECT id FROM vecgate_collections WHERE name = ANY($1) ORDER BY name = $2`, [[off, on], on])
    ).rows.map((r) => r.id);
    // Due for a build: the one with a threshold only, whatever the row count asked for.
    const due = await gw.app.get(RecordTableRepository).unindexed(gw.db, 1, ids);
    expect(due.map((d) => d.id)).toEqual([]);
    await q.updateCollection(off, { optimizers_config: { indexing_threshold_kb: 1 } });
    await until(
      'indexed once the threshold is set',
      () => q.getCollection(off),
      (i) => i.indexed_vectors_count === 40,
    );
  });

  it('changes and removes a vector’s quantization by update_collection', async () => {
    const name = await created();
    await q.updateCollection(name, {
      vectors: { audio: { quantization_config: 'Disabled' }, text: { quantization_config: { binary: {} } } },
      quantization_config: { product: { compression: 'x16' } },
    });
    const { config } = await q.getCollection(name);
    expect(config.params.vectors).toMatchObject({ text: { quantization_config: { binary: {} } } });
    expect((config.params.vectors as any).audio).not.toHaveProperty('quantization_config');
    expect(config.quantization_config).toEqual({ product: { compression: 'x16' } });
    await q.updateCollection(name, { quantization_config: 'Disabled' });
    expect((await q.getCollection(name)).config.quantization_config).toBeNull();
  });

  it('changes a sparse vector’s index settings and modifier by update_collection', async () => {
    const name = collectionName('sparse');
    await q.createCollection(name, {
      sparse_vectors: { words: { index: { on_disk: false } }, more: { index: { full_scan_threshold: 10 } } },
    });
    await q.upsert(name, {
      wait: true,
      points: [
        { id: 1, vector: { words: { indices: [1, 2], values: [1, 1] } } },
        { id: 2, vector: { words: { indices: [2], values: [1] } } },
      ],
    });
    const score = async () =>
      (await q.query(name, { query: { indices: [1], values: [1] }, using: 'words' })).points[0].score;
    expect(await score()).toBe(1);
    await q.updateCollection(name, {
      sparse_vectors: { words: { index: { on_disk: true }, modifier: 'idf' }, more: { index: { on_disk: true } } },
    });
    const { config } = await q.getCollection(name);
    expect(config.params.sparse_vectors).toEqual({
      words: { index: { on_disk: true }, modifier: 'idf' },
      more: { index: { full_scan_threshold: 10, on_disk: true } },
    });
    // IDF now weighs the query's term: ln((2 - 1 + 0.5) / (1 + 0.5) + 1).
    expect(await score()).toBeCloseTo(Math.log(2), 5);
  });

  it('warns of inline_storage without quantization or on a multivector, as Qdrant does', async () => {
    const raw = qdrantHttp(gw);
    const make = async (vector: object) => {
      const name = collectionName('warn');
      await q.createCollection(name, { vectors: { v: { size: 4, distance: 'Dot', ...vector } } });
      return (await raw.get(`/collections/${name}`)).body.result;
    };
    expect(await make({})).not.toHaveProperty('warnings');
    expect(
      await make({ hnsw_config: { inline_storage: true }, quantization_config: { scalar: { type: 'int8' } } }),
    ).not.toHaveProperty('warnings');
    expect((await make({ hnsw_config: { inline_storage: true } })).warnings).toEqual([
      {
        message:
          "The `hnsw_config.inline_storage` option for vector 'v' requires quantization to be enabled. This option will be ignored.",
      },
    ]);
    expect(
      (await make({ hnsw_config: { inline_storage: true }, multivector_config: { comparator: 'max_sim' } })).warnings,
    ).toEqual([
      {
        message:
          "The `hnsw_config.inline_storage` option for vector 'v' is not compatible with multivectors. This option will be ignored.",
      },
    ]);
  });

  it('removes the first dense vector and adds it again with another size, the other vectors kept', async () => {
    const name = collectionName('first');
    await q.createCollection(name, {
      vectors: { a: { size: 4, distance: 'Cosine' }, b: { size: 2, distance: 'Dot' } },
      sparse_vectors: { s: {}, t: {} },
    });
    await q.upsert(name, {
      wait: true,
      points: [1, 2, 3].map((id) => ({
        id,
        vector: { a: [id, 1, 0, 1], b: [id, 0], s: { indices: [id], values: [1] }, t: { indices: [1], values: [id] } },
      })),
    });
    await q.deleteVectorName(name, 'a');
    await q.deleteVectorName(name, 's');
    const { rows } = await gw.db.query(`SELECT dimension, table_name FROM vecgate_collections WHERE name = $1`, [name]);
    expect(rows[0].dimension).toBeNull();
    const held = await gw.db.query(
      `SELECT count(*) FILTER (WHERE embedding IS NOT NULL)::int AS dense,
              count(*) FILTER (WHERE sparse_embedding IS NOT NULL)::int AS sparse
       FROM vecgate_records."${rows[0].table_name}"`,
    );
    expect(held.rows[0]).toEqual({ dense: 0, sparse: 0 });
    let info = await q.getCollection(name);
    expect(info.config.params.vectors).toEqual({ b: { size: 2, distance: 'Dot' } });
    expect(info.config.params.sparse_vectors).toEqual({ t: {} });
    const raw = qdrantHttp(gw);
    expectQdrantError(await raw.del(`/collections/${name}/vectors/a`), 400, /Not existing vector name error: a/);

    await q.createVectorName(name, 'a', { dense: { size: 6, distance: 'Dot' } });
    const [before] = await q.retrieve(name, { ids: [1], with_vector: true });
    expect(before.vector).toEqual({ b: [1, 0], t: { indices: [1], values: [1] } });
    await q.upsert(name, {
      wait: true,
      points: [{ id: 1, vector: { a: [1, 2, 3, 4, 5, 6], b: [1, 0] } }],
    });
    const [after] = await q.retrieve(name, { ids: [1], with_vector: true });
    expect(after.vector).toEqual({ a: [1, 2, 3, 4, 5, 6], b: [1, 0] });
    info = await q.getCollection(name);
    expect(info.config.params.vectors).toEqual({ b: { size: 2, distance: 'Dot' }, a: { size: 6, distance: 'Dot' } });
    const found = await q.query(name, { query: [1, 1, 1, 1, 1, 1], using: 'a' });
    expect(found.points.map((p) => [p.id, p.score])).toEqual([[1, 21]]);
  });

  it('refuses the sizes Qdrant validates, in its words, and sizes past pgvector’s in vecgate’s', async () => {
    const name = await created();
    const raw = qdrantHttp(gw);
    expectQdrantError(
      await raw.put(`/collections/${name}/vectors/zero`, { dense: { size: 0, distance: 'Cosine' } }),
      422,
      /^Validation error in JSON body: \[dense\.size: value 0 invalid, must be from 1 to 65536\]$/,
    );
    expectQdrantError(
      await raw.put(`/collections/${name}/vectors/huge`, { dense: { size: 65537, distance: 'Cosine' } }),
      422,
      /dense\.size: value 65537 invalid, must be from 1 to 65536/,
    );
    expectQdrantError(
      await raw.put(`/collections/${collectionName('huge')}`, { vectors: { size: 65537, distance: 'Dot' } }),
      422,
      /vectors\.size: value 65537 invalid, must be from 1 to 65536/,
    );
    expectQdrantError(
      await raw.put(`/collections/${name}/vectors/wide`, { dense: { size: 20000, distance: 'Cosine' } }),
      400,
      /past the 16000 dimensions pgvector stores/,
    );
    expect((await q.getCollection(name)).config.params.vectors).not.toHaveProperty('zero');
  });
});
