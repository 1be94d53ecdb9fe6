import { ChromaClient, type Collection } from 'chromadb';
import { loadConfig } from '../../../src/config/load-config';
import { http, startGateway, type TestGateway } from '../../support/gateway';
import { prng } from '../../support/pinecone';
import { vectorizer } from '../vectorizer/vectorizer-helpers';
import { until } from '../../support/wait';

/**
 * Numeric range filters get an index on the keys they are sent on (RangeKeyTracker notes the key,
 * IndexBuilder builds a btree on its value), seen through the Chroma client (and Vectorizer's
 * HTTP API for a nested path) and the database's own catalog: no index before a range filter arrives; one per key after, with hostile keys
 * quoted by Postgres; the same answers with the index as without it; the index serving the reads;
 * writes of non-numbers at the key still accepted; small collections and keys past
 * VECGATE_RANGE_INDEX_KEYS left without one (string ranges, which Vectorizer sends, note no key:
 * test/unit/filters/range-keys.spec.ts). Small timings: minRows 300, quiet 300 ms, 3 keys.
 */

const DIM = 4;
const RECORDS = 1200;
const MIN_ROWS = 300;
const RANGE_KEYS = 3;
const HOSTILE = `we'ird; "ключ" --`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const next = prng(23);
const vector = () => Array.from({ length: DIM }, () => next() * 2 - 1);

type Meta = Record<string, string | number | boolean>;

/** price: a float for most records, an int for some, and a string, a boolean or nothing for the rest. */
function metadataOf(i: number): Meta {
  const m: Meta = { label: `l${i % 26}`, rank: i, [HOSTILE]: i % 100 };
  if (i % 50 === 1) m.price = `${i}.5`;
  else if (i % 50 === 2) m.price = true;
  else if (i % 50 === 3)
    m.price = 'x'.repeat(4000); // past a btree entry's size limit
  else if (i % 50 !== 4) m.price = i % 10 === 0 ? i : i + 0.5;
  return m;
}

const ids = Array.from({ length: RECORDS }, (_, i) => `r${i}`);
const metadatas = ids.map((_, i) => metadataOf(i));

interface Case {
  name: string;
  where: object;
  holds: (m: Meta) => boolean;
}

const num = (v: unknown): v is number => typeof v === 'number';
const CASES: Case[] = [
  {
    name: '100 <= price < 130',
    where: { $and: [{ price: { $gte: 100 } }, { price: { $lt: 130 } }] },
    holds: (m) => num(m.price) && m.price >= 100 && m.price < 130,
  },
  {
    name: '100 < price <= 130 (ints at both ends)',
    where: { $and: [{ price: { $gt: 100 } }, { price: { $lte: 130 } }] },
    holds: (m) => num(m.price) && m.price > 100 && m.price <= 130,
  },
  { name: 'price > 1150.5', where: { price: { $gt: 1150.5 } }, holds: (m) => num(m.price) && m.price > 1150.5 },
  { name: 'price <= 20', where: { price: { $lte: 20 } }, holds: (m) => num(m.price) && m.price <= 20 },
  {
    name: 'price < 5 or label = l3',
    where: { $or: [{ price: { $lt: 5 } }, { label: 'l3' }] },
    holds: (m) => (num(m.price) && m.price < 5) || m.label === 'l3',
  },
  {
    name: `"${HOSTILE}" in [97, 99)`,
    where: { $and: [{ [HOSTILE]: { $gte: 97 } }, { [HOSTILE]: { $lt: 99 } }] },
    holds: (m) => (m[HOSTILE] as number) >= 97 && (m[HOSTILE] as number) < 99,
  },
];

const expected = (c: Case, metas: Meta[], keys: string[]) => keys.filter((_, i) => c.holds(metas[i])).sort();

async function get(col: Collection, where: object): Promise<string[]> {
  return (await col.get({ where: where as any })).ids.sort();
}

/** The range indexes on the collection's table, as Postgres prints them (on one line). */
async function rangeIndexes(g: TestGateway, collectionId: string): Promise<string[]> {
  const { rows } = await g.db.query(
    `SELECT i.indexdef FROM vecgate_collections c JOIN pg_indexes i ON i.schemaname = 'vecgate_records' AND i.tablename = c.table_name
     WHERE c.id = $1 AND i.indexname LIKE c.table_name || '\\_range\\_%' ORDER BY i.indexname`,
    [collectionId],
  );
  return rows.map((r: any) => r.indexdef.replace(/\s+/g, ' ').replace(/\( /g, '('));
}

async function indexingProgress(g: TestGateway, collectionId: string): Promise<number> {
  const res = await http(
    g.url,
    'GET',
    `/api/v2/tenants/default_tenant/databases/default_database/collections/${collectionId}/indexing_status`,
  );
  if (res.status !== 200) throw new Error(`indexing_status answered ${res.status}: ${res.text}`);
  return res.body.op_indexing_progress;
}

async function notedKeys(g: TestGateway, collectionId: string): Promise<string[][]> {
  const { rows } = await g.db.query(
    `SELECT key FROM vecgate_range_keys WHERE collection_id = $1 AND kind = 'number' ORDER BY id`,
    [collectionId],
  );
  return rows.map((r: any) => r.key);
}

/** Scans of the collection's range indexes so far (pg_stat_user_indexes, published up to 10 s late on a server). */
async function rangeScans(g: TestGateway, collectionId: string): Promise<number> {
  const { rows } = await g.db.query(
    `SELECT pg_stat_clear_snapshot(), (SELECT coalesce(sum(s.idx_scan), 0)::int FROM pg_stat_user_indexes s JOIN vecgate_collections c ON s.relname = c.table_name
     WHERE c.id = $1 AND s.schemaname = 'vecgate_records' AND s.indexrelname LIKE c.table_name || '\\_range\\_%') AS n`,
    [collectionId],
  );
  return rows[0].n;
}

async function load(col: Collection, from: number, to: number): Promise<void> {
  for (let s = from; s < to; s += 400) {
    const e = Math.min(to, s + 400);
    await col.add({
      ids: ids.slice(s, e),
      embeddings: ids.slice(s, e).map(vector),
      metadatas: metadatas.slice(s, e) as any[],
    });
  }
}

describe('Chroma: numeric range filters get an index on the keys they are sent on', () => {
  let gw: TestGateway;
  let client: ChromaClient;
  let col: Collection;
  const before = {} as { indexes: string[]; answers: string[][] };
  const after = {} as { indexes: string[]; answers: string[][]; keys: string[][] };

  beforeAll(async () => {
    gw = await startGateway({
      indexing: { ...loadConfig({}).indexing, minRows: MIN_ROWS, quietMs: 300, rangeKeys: RANGE_KEYS },
    });
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    col = await client.createCollection({ name: 'priced', embeddingFunction: null });
    await load(col, 0, RECORDS);
    // Past minRows and quiet: the HNSW index comes first; no range filter was sent yet.
    await until(
      'HNSW index',
      async () =>
        (
          await gw.db.query(
            `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'vecgate_records' AND indexname LIKE '%\\_hnsw'`,
          )
        ).rows[0].n,
      (n) => n === 1,
    );
    await sleep(1000);
    before.indexes = await rangeIndexes(gw, col.id);
    before.answers = [];
    for (const c of CASES) before.answers.push(await get(col, c.where));
    after.keys = await until(
      'noted keys',
      () => notedKeys(gw, col.id),
      (k) => k.length === 2,
    );
    // indexing_status counts a noted key's index as due: read the indexes the moment it says done.
    await until(
      'indexing_status',
      () => indexingProgress(gw, col.id),
      (p) => p === 1,
    );
    after.indexes = await rangeIndexes(gw, col.id);
    after.answers = [];
    for (const c of CASES) after.answers.push(await get(col, c.where));
  });

  afterAll(() => gw?.close());

  it('builds no range index before a range filter on the key arrives', () => {
    expect(before.indexes).toEqual([]);
  });

  it('notes each numeric range key once and builds a btree on its numbers, the key quoted by Postgres, before indexing_status says the collection is indexed', () => {
    expect(after.keys).toEqual([['price'], [HOSTILE]]);
    expect(after.indexes).toHaveLength(2);
    // The number at the key or NULL, with no predicate: the planner reads its statistics (issue 49).
    expect(after.indexes[0]).toMatch(
      /USING btree \(\(CASE WHEN \(jsonb_typeof\(\(metadata -> 'price'::text\)\) = 'number'::text\) THEN \(\(metadata -> 'price'::text\)\)::numeric ELSE NULL::numeric END\)\)$/,
    );
    const quoted = `'${HOSTILE.replace(/'/g, "''")}'::text`;
    expect(after.indexes[1]).toContain(`THEN ((metadata -> ${quoted}))::numeric`);
  });

  it('answers every range exactly as before the index existed, numbers only, ints and floats alike', () => {
    CASES.forEach((c, i) => {
      const want = expected(c, metadatas, ids);
      expect({ case: c.name, before: before.answers[i] }).toEqual({ case: c.name, before: want });
      expect({ case: c.name, after: after.answers[i] }).toEqual({ case: c.name, after: want });
      expect(want.length).toBeGreaterThan(0);
    });
  });

  it('serves range reads from the index', async () => {
    const from = await rangeScans(gw, col.id);
    for (let k = 0; k < 10; k++) await get(col, { $and: [{ price: { $gte: 300 + k } }, { price: { $lt: 310 + k } }] });
    const to = await until(
      'index scans',
      () => rangeScans(gw, col.id),
      (n) => n >= from + 10,
    );
    expect(to - from).toBeGreaterThanOrEqual(10);
  });

  it('still accepts long strings, booleans and new numbers at an indexed key, and finds the new numbers', async () => {
    const extra = ['long', 'bool', 'new-num'];
    const extraMeta: Meta[] = [{ price: 'y'.repeat(5000) }, { price: false }, { price: 100.25 }];
    await col.add({ ids: extra, embeddings: extra.map(vector), metadatas: extraMeta as any[] });
    expect(await get(col, CASES[0].where)).toEqual(
      expected(CASES[0], [...metadatas, ...extraMeta], [...ids, ...extra]),
    );
    await col.update({ ids: ['r7'], metadatas: [{ price: 'z'.repeat(5000) }] });
    expect((await col.get({ ids: ['r7'] })).metadatas[0]?.price).toHaveLength(5000);
  });

  it('notes at most VECGATE_RANGE_INDEX_KEYS keys per collection', async () => {
    await get(col, { rank: { $gt: 5 } });
    await until(
      'third key',
      () => notedKeys(gw, col.id),
      (k) => k.length === 3,
    );
    await get(col, { rank2: { $gt: 5 } });
    await sleep(500);
    expect(await notedKeys(gw, col.id)).toEqual([['price'], [HOSTILE], ['rank']]);
  });

  it('builds no range index on a collection below VECGATE_INDEX_MIN_ROWS', async () => {
    const small = await client.createCollection({ name: 'small', embeddingFunction: null });
    await load(small, 0, 100);
    expect((await small.get({ where: { price: { $gte: 10 } } })).ids.length).toBeGreaterThan(0);
    await until(
      'noted key',
      () => notedKeys(gw, small.id),
      (k) => k.length === 1,
    );
    await sleep(1500);
    expect(await rangeIndexes(gw, small.id)).toEqual([]);
  });

  it('indexes a nested payload path a Vectorizer range is sent on (meta.score) as that path, and searches the same', async () => {
    const vz = vectorizer(gw);
    await vz.create('scored', DIM);
    const scored = ids
      .slice(0, 400)
      .map((id, i) => ({ id, embedding: vector(), payload: { meta: { score: i }, 'meta.score': -1 } }));
    for (let s = 0; s < scored.length; s += 200) await vz.insert('scored', scored.slice(s, s + 200));
    const search = async () => {
      const res = await vz.post('/collections/scored/search', {
        vector: vector(),
        limit: 50,
        filter: { must: [{ type: 'range', key: 'meta.score', range: { gte: 100, lt: 110 } }] },
      });
      expect(res.status).toBe(200);
      return res.body.results.map((h: { id: string }) => h.id).sort();
    };
    const want = ids.slice(100, 110).sort();
    expect(await search()).toEqual(want);
    const { rows } = await gw.db.query(`SELECT id::text FROM vecgate_collections WHERE name = 'scored'`);
    await until(
      'noted path',
      () => notedKeys(gw, rows[0].id),
      (k) => k.length === 1,
    );
    const built = await until(
      'path index',
      () => rangeIndexes(gw, rows[0].id),
      (d) => d.length === 1,
    );
    expect(await notedKeys(gw, rows[0].id)).toEqual([['meta', 'score']]);
    expect(built[0]).toContain(`THEN ((metadata #> '{meta,score}'::text[]))::numeric`);
    expect(await search()).toEqual(want);
  });

  it('counts a key as due while its table lacks the statistics of its index, and analyzes it again (a replica stopped between build and ANALYZE, or keys noted before the mark)', async () => {
    const marks = async () =>
      (
        await gw.db.query(`SELECT analyzed FROM vecgate_range_keys WHERE collection_id = $1 AND key = $2`, [
          col.id,
          ['price'],
        ])
      ).rows.map((r: any) => r.analyzed);
    const unmark = () =>
      gw.db.query(`UPDATE vecgate_range_keys SET analyzed = false WHERE collection_id = $1 AND key = $2`, [
        col.id,
        ['price'],
      ]);
    expect(await marks()).toEqual([true]);
    if (gw.backend === 'postgres') {
      // ANALYZE waits for the SHARE UPDATE EXCLUSIVE lock held here, over several sweeps: the key is due meanwhile.
      const { rows } = await gw.db.query(`SELECT table_name FROM vecgate_collections WHERE id = $1`, [col.id]);
      const blocked = await gw.db.withOwnConnection(async (conn) => {
        await conn.query('BEGIN');
        await conn.query(`LOCK TABLE vecgate_records."${rows[0].table_name}" IN SHARE UPDATE EXCLUSIVE MODE`);
        await unmark();
        await sleep(800);
        const seen = { progress: await indexingProgress(gw, col.id), marks: await marks() };
        await conn.query('COMMIT');
        return seen;
      });
      expect(blocked).toEqual({ progress: 0, marks: [false] });
    } else {
      await unmark();
    }
    await until('the mark again', marks, (m) => m[0] === true);
    expect(await indexingProgress(gw, col.id)).toBe(1);
  });

  it('forgets the keys of a deleted collection', async () => {
    const doomed = await client.createCollection({ name: 'doomed', embeddingFunction: null });
    await load(doomed, 0, 50);
    await doomed.get({ where: { price: { $gte: 10 } } });
    await until(
      'noted key',
      () => notedKeys(gw, doomed.id),
      (k) => k.length === 1,
    );
    await client.deleteCollection({ name: 'doomed' });
    expect(await notedKeys(gw, doomed.id)).toEqual([]);
  });
});
