import { randomBytes } from 'node:crypto';
import { ChromaClient, type Collection } from 'chromadb';
import { http, gatewayForFile } from '../../support/gateway';

/**
 * The security standard, proven over HTTP and through the official client: "Every value is a bind
 * parameter; identifiers come only from the catalog. Filter keys, ids and names are user input."
 * Each test feeds quotes, semicolons, SQL fragments, LIKE and regex metacharacters, NULs and
 * unicode where user input goes, checks that what was stored is exactly what was sent (or that a
 * value Postgres cannot hold is refused with a 4xx and changes nothing), and then, after every
 * test, that the catalog and an unrelated collection's data are untouched.
 */

const P = '/api/v2/tenants/default_tenant/databases/default_database';
const enc = encodeURIComponent;

const INJECTION = `x"; DROP TABLE vecgate_collections; --`;

const HOSTILE_IDS = [
  "a'b",
  "a''b", // must not collapse into a'b (no quote doubling anywhere)
  INJECTION,
  "'); DELETE FROM vecgate_tenants; --",
  '🙂日本',
  '\\',
  '\\\\', // must not collapse into a single backslash
  '%',
  '_',
  'NULL', // the array literal keyword, as a plain string
  '{a,b}', // array literal syntax
  '"q"',
  '$1',
  ' padded ',
  'tab\tand\nnewline',
  'e\u0301', // e + combining acute: distinct from the precomposed é below (no normalisation)
  '\u00e9',
  '\u202eevil', // right-to-left override
];

const NAME_RULE = (name: string) =>
  `Validation error: name: Expected a name containing 3-512 characters from [a-zA-Z0-9._-], starting and ending with a character in [a-zA-Z0-9]. Got: ${name}`;

/** A status and body that say "your request is wrong", in Chroma's error shape. */
function expectClientError(res: { status: number; body: any; headers: Headers }, context: string): void {
  if (res.status !== 400 && res.status !== 422) {
    throw new Error(`${context}: expected 400 or 422, got ${res.status} ${JSON.stringify(res.body)}`);
  }
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(Object.keys(res.body).sort()).toEqual(['error', 'message']);
  expect(res.body.error).toBe(res.status === 400 ? 'InvalidArgumentError' : 'ChromaError');
  expect(typeof res.body.message).toBe('string');
  expect(res.body.message.length).toBeGreaterThan(0);
}

function sorted<T>(values: T[]): T[] {
  return [...values].sort();
}

describe('Chroma API under hostile input', () => {
  const gw = gatewayForFile();
  let client: ChromaClient;
  let sentinel: Collection;
  let counter = 0;

  const SENTINEL = {
    ids: ['s1', 's2', 's3'],
    embeddings: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
    documents: ['sentinel one', "sentinel's two", 'sentinel three'],
    metadatas: [
      { keep: 'me', n: 1 },
      { keep: 'me', n: 2 },
      { keep: 'me', n: 3 },
    ],
  };

  /** A new, empty collection with a name no other test uses. */
  async function fresh(prefix: string): Promise<Collection> {
    return client.createCollection({ name: `${prefix}-${++counter}`, embeddingFunction: null });
  }

  /** Everything a collection holds, over raw HTTP, for before/after comparisons. */
  async function snapshot(collectionId: string) {
    const got = await http(gw.url, 'POST', `${P}/collections/${collectionId}/get`, {
      include: ['embeddings', 'documents', 'metadatas', 'uris'],
    });
    expect(got.status).toBe(200);
    const count = await http(gw.url, 'GET', `${P}/collections/${collectionId}/count`);
    expect(count.status).toBe(200);
    return { records: got.body, count: count.body };
  }

  async function idsOf(collection: Collection): Promise<string[]> {
    return sorted((await collection.get({ include: [] })).ids);
  }

  /** The catalog answers, and the sentinel collection still holds exactly what it was given. */
  async function expectCatalogIntact(): Promise<void> {
    const listed = await http(gw.url, 'GET', `${P}/collections`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((c: any) => c.name)).toContain('sentinel');
    const counted = await http(gw.url, 'GET', `${P}/collections_count`);
    expect(counted.body).toBe(listed.body.length);
    const names = (await client.listCollections()).map((c) => c.name);
    expect(names).toContain('sentinel');
    // Every catalog table is there, and so is the record table of every collection in it.
    const catalog = await gw.db.query(
      `SELECT (SELECT count(*) FROM vecgate_tenants)::int AS tenants, (SELECT count(*) FROM vecgate_databases)::int AS databases,
              (SELECT count(*) FROM vecgate_collections)::int AS collections,
              (SELECT count(*) FROM vecgate_collections WHERE to_regclass('vecgate_records.' || quote_ident(table_name)) IS NULL)::int AS orphans`,
    );
    expect(catalog.rows[0].collections).toBeGreaterThanOrEqual(listed.body.length);
    expect(catalog.rows[0].orphans).toBe(0);
    expect((await http(gw.url, 'GET', '/api/v2/tenants/default_tenant')).body).toEqual({ name: 'default_tenant' });
    const kept = await sentinel.get({ include: ['embeddings', 'documents', 'metadatas'] });
    expect(kept.ids).toEqual(SENTINEL.ids);
    expect(kept.embeddings).toEqual(SENTINEL.embeddings);
    expect(kept.documents).toEqual(SENTINEL.documents);
    expect(kept.metadatas).toEqual(SENTINEL.metadatas);
    expect(await sentinel.count()).toBe(3);
  }

  beforeAll(async () => {
    client = new ChromaClient({ host: '127.0.0.1', port: gw.port });
    sentinel = await client.createCollection({ name: 'sentinel', embeddingFunction: null });
    await sentinel.add(SENTINEL);
  });
  afterEach(() => expectCatalogIntact());

  describe('record ids', () => {
    it('stores ids with quotes, semicolons, SQL, backslashes, LIKE wildcards and unicode exactly, and finds each by get(ids) and query', async () => {
      const col = await fresh('ids');
      const embeddings = HOSTILE_IDS.map((_, i) => [i, 2 * i, 1]);
      await col.add({
        ids: HOSTILE_IDS,
        embeddings,
        documents: HOSTILE_IDS.map((id) => `doc of ${id}`),
        metadatas: HOSTILE_IDS.map((id, i) => ({ i, id })),
      });

      expect(await col.count()).toBe(HOSTILE_IDS.length);
      const all = await col.get({ include: ['documents', 'metadatas', 'embeddings'] });
      expect(sorted(all.ids)).toEqual(sorted(HOSTILE_IDS));
      all.ids.forEach((id, k) => {
        const i = HOSTILE_IDS.indexOf(id);
        expect(all.documents[k]).toBe(`doc of ${id}`);
        expect(all.metadatas[k]).toEqual({ i, id });
        expect(all.embeddings[k]).toEqual(embeddings[i]);
      });

      // Each id finds itself and nothing else (a'b is not a''b, \ is not \\, % and _ are not wildcards).
      await Promise.all(
        HOSTILE_IDS.map(async (id) => {
          const one = await col.get({ ids: [id] });
          expect(one.ids).toEqual([id]);
          expect(one.documents).toEqual([`doc of ${id}`]);
        }),
      );
      expect(sorted((await col.get({ ids: HOSTILE_IDS })).ids)).toEqual(sorted(HOSTILE_IDS));
      expect(
        (await col.get({ ids: ['a', 'b', "a'", '', 'null', '{a}', 'x', 'é'.normalize('NFD') + 'x'] })).ids,
      ).toEqual([]);

      // The wire carries them exactly too, not only the client's view of it.
      const raw = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { ids: [INJECTION, '🙂日本', '\\'] });
      expect(raw.status).toBe(200);
      expect(sorted(raw.body.ids)).toEqual(sorted([INJECTION, '🙂日本', '\\']));

      // Nearest-neighbour search returns the ids byte for byte.
      const found = await col.query({ queryEmbeddings: embeddings, nResults: 1, include: ['documents'] });
      expect(found.ids.map((list) => list[0])).toEqual(HOSTILE_IDS);
      // ids restrict a query as well.
      const restricted = await col.query({
        queryEmbeddings: [[0, 0, 1]],
        ids: ["a''b", '\\\\'],
        nResults: 5,
        include: [],
      });
      expect(sorted(restricted.ids[0])).toEqual(sorted(["a''b", '\\\\']));
    });

    it('deletes, updates and upserts records by hostile ids, touching none of their look-alikes', async () => {
      const col = await fresh('ids-del');
      await col.add({
        ids: HOSTILE_IDS,
        embeddings: HOSTILE_IDS.map((_, i) => [i, 0, 1]),
        documents: HOSTILE_IDS.map((_, i) => `doc ${i}`),
      });

      const doomed = ["a'b", '\\', INJECTION, '%', 'NULL', '\u00e9'];
      await col.delete({ ids: doomed });
      const survivors = HOSTILE_IDS.filter((id) => !doomed.includes(id));
      expect(await idsOf(col)).toEqual(sorted(survivors));
      expect(await col.count()).toBe(survivors.length);
      expect((await col.get({ ids: doomed })).ids).toEqual([]);

      await col.update({
        ids: ["a''b", '\\\\'],
        embeddings: [
          [7, 7, 7],
          [6, 6, 6],
        ],
        documents: ['updated quote', 'updated backslash'],
      });
      await col.upsert({
        ids: ['_', "a'b"],
        embeddings: [
          [9, 9, 9],
          [8, 8, 8],
        ],
        documents: ['upserted underscore', 'reborn'],
      });
      const after = await col.get({ include: ['documents'] });
      const doc = (id: string) => after.documents[after.ids.indexOf(id)];
      expect(doc("a''b")).toBe('updated quote');
      expect(doc('\\\\')).toBe('updated backslash');
      expect(doc('_')).toBe('upserted underscore');
      expect(doc("a'b")).toBe('reborn');
      expect(doc('%')).toBeUndefined();
      expect(doc('e\u0301')).toBe(`doc ${HOSTILE_IDS.indexOf('e\u0301')}`);
      expect(doc('\u00e9')).toBeUndefined();
      expect(await col.count()).toBe(survivors.length + 1);

      // Deleting by an id that only resembles stored ones deletes nothing.
      await col.delete({ ids: ["a'' b", '\\\\\\', '%%', 'e'] });
      expect(await col.count()).toBe(survivors.length + 1);
    });

    it('stores ids up to 2 KB exactly, compressible or not, and finds and deletes them by id', async () => {
      const col = await fresh('long-ids');
      const long = [
        'x'.repeat(2048),
        randomBytes(1536).toString('base64'), // 2 KB that does not compress
        Array.from({ length: 682 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join(''), // ~2 KB of CJK
        `'${"\\';--".repeat(408)}'`,
      ];
      for (const id of long) expect(Buffer.byteLength(id)).toBeLessThanOrEqual(2048);
      for (const id of long) expect(Buffer.byteLength(id)).toBeGreaterThan(2000);

      // One add per id, so that a failure names the id that failed.
      const statuses = await Promise.all(
        long.map(async (id, i) => {
          const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
            ids: [id],
            embeddings: [[i, 1, 1]],
            documents: [`long ${i}`],
          });
          return `${id.slice(0, 12)}… (${Buffer.byteLength(id)} bytes): ${res.status} ${res.text}`;
        }),
      );
      expect(statuses).toEqual(long.map((id) => `${id.slice(0, 12)}… (${Buffer.byteLength(id)} bytes): 201 {}`));
      expect(await col.count()).toBe(long.length);
      expect(sorted((await col.get()).ids)).toEqual(sorted(long));
      for (const [i, id] of long.entries()) {
        const one = await col.get({ ids: [id] });
        expect(one.ids).toEqual([id]);
        expect(one.documents).toEqual([`long ${i}`]);
      }
      // A prefix of a long id is a different id.
      expect((await col.get({ ids: [long[1].slice(0, -1)] })).ids).toEqual([]);
      await col.delete({ ids: [long[0], long[2]] });
      expect(sorted((await col.get()).ids)).toEqual(sorted([long[1], long[3]]));
    });

    it('refuses ids over 2 KB with a 400 that states the limit, and stores nothing of the batch', async () => {
      const col = await fresh('too-long-ids');
      for (const id of ['x'.repeat(10 * 1024), randomBytes(2400).toString('base64')]) {
        const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
          ids: ['short', id],
          embeddings: [
            [1, 1, 1],
            [2, 2, 2],
          ],
        });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({
          error: 'InvalidArgumentError',
          message: `ID is too long: ${Buffer.byteLength(id)} bytes, at most 2048 are allowed`,
        });
      }
      expect(await col.count()).toBe(0);
    });

    it('never stores a lone UTF-16 surrogate as another character: such ids are refused, or kept exactly and apart', async () => {
      const col = await fresh('surrogates');
      const ids = ['lone-\ud800', 'lone-\udfff'];
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
        ids,
        embeddings: [
          [1, 0, 0],
          [0, 1, 0],
        ],
        documents: ['high', 'low'],
      });
      if (res.status >= 400) {
        expectClientError(res, 'add with lone surrogates');
        expect(await col.count()).toBe(0);
      } else {
        // Both U+D800 and U+DFFF must not both become U+FFFD and overwrite each other.
        const got = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, {});
        const codePoints = (id: string) =>
          Array.from(id.slice(5), (c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase()}`).join(' ');
        expect(sorted(got.body.ids.map(codePoints))).toEqual(['U+D800', 'U+DFFF']);
        expect(await col.count()).toBe(2);
      }
    });
  });

  describe('metadata', () => {
    const KEY = "we'ird; key";
    const QUOTED = `it's "quoted"; DROP TABLE vecgate_collections; --`;
    const records = {
      ids: ['r1', 'r2', 'r3', 'r4', 'r5'],
      embeddings: [
        [1, 0, 0],
        [2, 0, 0],
        [3, 0, 0],
        [4, 0, 0],
        [5, 0, 0],
      ],
      metadatas: [
        {
          [KEY]: 'v',
          'q"uote': QUOTED,
          '🙂日本': '値🙂',
          $dollar: 1,
          '#hash': 'h1',
          'a.b': 'dot',
          'a->b': 'arrow',
          "n'um": 1,
          'back\\slash': '\\',
          'pct%': '100%',
          "' OR '1'='1": "' OR '1'='1",
        },
        { [KEY]: 'w', "n'um": 2.5, '#hash': 'h2', '🙂日本': 'other' },
        { [KEY]: "v'", "n'um": 10, 'pct%': '100' },
        { other: 1 },
        null,
      ] as any[],
    };

    async function seeded(): Promise<Collection> {
      const col = await fresh('meta');
      await col.add(records);
      return col;
    }

    async function matching(col: Collection, where: any): Promise<string[]> {
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { where, include: [] });
      if (res.status !== 200) throw new Error(`where ${JSON.stringify(where)}: ${res.status} ${res.text}`);
      return sorted(res.body.ids);
    }

    it('round-trips metadata keys and values with quotes, semicolons, unicode, backslashes and $ or # prefixes', async () => {
      const col = await seeded();
      const got = await col.get({ include: ['metadatas'] });
      expect(got.ids).toEqual(records.ids);
      expect(got.metadatas).toEqual(records.metadatas);
      const raw = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { ids: ['r1'], include: ['metadatas'] });
      expect(raw.body.metadatas).toEqual([records.metadatas[0]]);
    });

    it('filters on hostile keys and values with equality, $ne, $in, $nin, ranges and logic, matching them literally', async () => {
      const col = await seeded();
      expect(await matching(col, { [KEY]: 'v' })).toEqual(['r1']);
      expect(await matching(col, { [KEY]: { $eq: "v'" } })).toEqual(['r3']);
      expect(await matching(col, { [KEY]: { $ne: 'v' } })).toEqual(['r2', 'r3', 'r4', 'r5']); // $ne matches records lacking the key
      expect(await matching(col, { [KEY]: { $in: ['v', 'w'] } })).toEqual(['r1', 'r2']);
      expect(await matching(col, { [KEY]: { $nin: ['v', 'w'] } })).toEqual(['r3', 'r4', 'r5']);
      expect(await matching(col, { "n'um": { $gt: 1 } })).toEqual(['r2', 'r3']);
      expect(await matching(col, { "n'um": { $gte: 2.5 } })).toEqual(['r2', 'r3']);
      expect(await matching(col, { "n'um": { $lt: 10 } })).toEqual(['r1', 'r2']);
      expect(await matching(col, { "n'um": { $lte: 1 } })).toEqual(['r1']);
      expect(await matching(col, { $and: [{ "n'um": { $gte: 1 } }, { "n'um": { $lt: 10 } }] })).toEqual(['r1', 'r2']);
      expect(await matching(col, { $or: [{ [KEY]: 'w' }, { '🙂日本': '値🙂' }] })).toEqual(['r1', 'r2']);
      expect(await matching(col, { 'q"uote': QUOTED })).toEqual(['r1']);
      expect(await matching(col, { '🙂日本': { $ne: '値🙂' } })).toEqual(['r2', 'r3', 'r4', 'r5']);
      expect(await matching(col, { '#hash': 'h2' })).toEqual(['r2']);
      expect(await matching(col, { 'a.b': 'dot' })).toEqual(['r1']);
      expect(await matching(col, { 'a->b': 'arrow' })).toEqual(['r1']);
      expect(await matching(col, { 'back\\slash': '\\' })).toEqual(['r1']);
      expect(await matching(col, { 'pct%': '100%' })).toEqual(['r1']); // % is not a wildcard
      expect(await matching(col, { 'pct%': { $in: ['100'] } })).toEqual(['r3']);
      expect(await matching(col, { "' OR '1'='1": "' OR '1'='1" })).toEqual(['r1']);
      // Injection-shaped keys and values that are not stored match nothing.
      expect(await matching(col, { [KEY]: "v' OR '1'='1" })).toEqual([]);
      expect(await matching(col, { "we'ird; key' OR '1'='1": 'v' })).toEqual([]);
      expect(await matching(col, { [`${KEY}"); --`]: { $gt: 0 } })).toEqual([]);
      expect(await matching(col, { a: 'dot' })).toEqual([]); // 'a.b' is a key, not a path
      expect(await matching(col, { 'we%': 'v' })).toEqual([]);
      // The same through the client.
      expect(sorted((await col.get({ where: { [KEY]: { $in: ['v', "v'"] } } })).ids)).toEqual(['r1', 'r3']);
    });

    it('reads a where key that starts with $ as a metadata key, as Chroma 1.0.0 does, bound as a value', async () => {
      const col = await seeded();
      // Only $and and $or are operators where a key stands; $dollar, $eq or $contains are keys.
      expect(await matching(col, { $dollar: 1 })).toEqual(['r1']);
      expect(await matching(col, { $dollar: { $eq: 1 } })).toEqual(['r1']);
      expect(await matching(col, { $dollar: { $gte: 0.5 } })).toEqual(['r1']);
      expect(await matching(col, { $dollar: { $ne: 1 } })).toEqual(['r2', 'r3', 'r4', 'r5']);
      expect(await matching(col, { $and: [{ $dollar: 1 }, { [KEY]: 'v' }] })).toEqual(['r1']);
      expect(await matching(col, { $eq: 1 })).toEqual([]);
      expect(await matching(col, { $contains: 'x' })).toEqual([]);
      // Injection-shaped $ keys are keys like any other: bound, matching nothing stored.
      expect(await matching(col, { '$dollar; DROP TABLE vecgate_collections': 1 })).toEqual([]);
      expect(await matching(col, { "$'": { $eq: 1 } })).toEqual([]);
      expect(await matching(col, { "$dollar'); --": { $in: [1, 2] } })).toEqual([]);
      expect(await idsOf(col)).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
      // The client sends them as they are; a delete by one removes what a get by it finds.
      expect((await col.get({ where: { $dollar: { $eq: 1 } } as any })).ids).toEqual(['r1']);
      await col.delete({ where: { $dollar: 1 } as any });
      expect(await idsOf(col)).toEqual(['r2', 'r3', 'r4', 'r5']);
    });

    it("keeps $and, $or and the operators as operators, and names what is wrong after Chroma's words", async () => {
      const col = await seeded();
      const cases: [object, string][] = [
        [{ $and: { $dollar: 1 } }, 'Invalid where clause: $and takes a list of clauses, got {"$dollar":1}'],
        [{ $or: 1 }, 'Invalid where clause: $or takes a list of clauses, got 1'],
        [
          { $dollar: { $dollar: 1 } },
          'Invalid where clause: unknown operator "$dollar" on key "$dollar"; expected one of $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $contains, $not_contains',
        ],
        [
          { $dollar: [1] },
          'Invalid where clause: the value on key "$dollar" must be a string, a number, a boolean or an operator object, got [1]',
        ],
        [
          { $dollar: 1, [KEY]: 'v' },
          `Invalid where clause: a where clause must have exactly one key, got "$dollar", ${JSON.stringify(KEY)}`,
        ],
      ];
      for (const [where, message] of cases) {
        const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { where });
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ error: 'InvalidArgumentError', message });
      }
    });

    it('deletes by a where on a hostile key, removing exactly the matching records', async () => {
      const col = await seeded();
      await col.delete({ where: { [KEY]: { $in: ['w', "v'"] } } });
      expect(await idsOf(col)).toEqual(['r1', 'r4', 'r5']);
      await col.delete({ where: { '🙂日本': '値🙂' } });
      expect(await idsOf(col)).toEqual(['r4', 'r5']);
    });

    it('keeps collection metadata with hostile keys and values exactly, on create and on modify', async () => {
      const metadata = { [KEY]: QUOTED, '🙂日本': "it's", '#k': 1, $k: true, 'back\\slash': '\\' };
      const created = await client.createCollection({
        name: `coll-meta-${++counter}`,
        metadata,
        embeddingFunction: null,
      });
      expect((await client.getCollection({ name: created.name, embeddingFunction: null } as any)).metadata).toEqual(
        metadata,
      );
      const replaced = { "'; DROP TABLE vecgate_collections; --": "'", 日本: '🙂' };
      await created.modify({ metadata: replaced });
      const raw = await http(gw.url, 'GET', `${P}/collections/${created.name}`);
      expect(raw.body.metadata).toEqual(replaced);
    });
  });

  describe('where_document', () => {
    const DOCS: Record<string, string | null> = {
      d1: '100% sure',
      d2: '100 percent sure',
      d3: 'snake_case',
      d4: 'snakeXcase',
      d5: 'C:\\temp',
      d6: 'C:temp',
      d7: "it's",
      d8: 'its',
      d9: null,
    };
    const ALL_IDS = Object.keys(DOCS);

    async function seeded(): Promise<Collection> {
      const col = await fresh('docs');
      const ids = ALL_IDS;
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/add`, {
        ids,
        embeddings: ids.map((_, i) => [i, 0, 0]),
        documents: ids.map((id) => DOCS[id]),
      });
      expect(res.status).toBe(201);
      return col;
    }

    async function matching(col: Collection, whereDocument: any): Promise<string[]> {
      const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, {
        where_document: whereDocument,
        include: [],
      });
      if (res.status !== 200)
        throw new Error(`where_document ${JSON.stringify(whereDocument)}: ${res.status} ${res.text}`);
      return sorted(res.body.ids);
    }

    it('matches %, _, backslash and quote literally in $contains and $not_contains', async () => {
      const col = await seeded();
      expect(await matching(col, { $contains: '%' })).toEqual(['d1']);
      expect(await matching(col, { $contains: '100%' })).toEqual(['d1']);
      expect(await matching(col, { $contains: '_' })).toEqual(['d3']);
      expect(await matching(col, { $contains: 'e_c' })).toEqual(['d3']);
      expect(await matching(col, { $contains: '\\' })).toEqual(['d5']);
      expect(await matching(col, { $contains: ':\\t' })).toEqual(['d5']);
      expect(await matching(col, { $contains: "'" })).toEqual(['d7']);
      expect(await matching(col, { $contains: "it's" })).toEqual(['d7']);
      expect(await matching(col, { $contains: '%_%' })).toEqual([]);
      expect(await matching(col, { $contains: '\\%' })).toEqual([]);
      expect(await matching(col, { $contains: "'; DROP TABLE vecgate_collections; --" })).toEqual([]);
      expect(await matching(col, { $not_contains: '%' })).toEqual(ALL_IDS.filter((id) => id !== 'd1')); // a null document matches a negation
      expect(await matching(col, { $not_contains: '_' })).toEqual(ALL_IDS.filter((id) => id !== 'd3'));
      expect(await matching(col, { $and: [{ $contains: 'sure' }, { $not_contains: '%' }] })).toEqual(['d2']);
      // The newer spelling inside where, and the client.
      const inWhere = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, {
        where: { '#document': { $contains: '_' } },
        include: [],
      });
      expect(inWhere.body.ids).toEqual(['d3']);
      expect((await col.get({ whereDocument: { $contains: '\\' } })).ids).toEqual(['d5']);
      // Deleting by a wildcard-looking substring deletes only its literal match.
      await col.delete({ whereDocument: { $contains: '_' } });
      expect(await idsOf(col)).toEqual(ALL_IDS.filter((id) => id !== 'd3'));
    });

    it('treats regex metacharacters in $regex as a regular expression, and refuses a broken one with 400', async () => {
      const col = await seeded();
      expect(await matching(col, { $regex: 'snake.case' })).toEqual(['d3', 'd4']);
      expect(await matching(col, { $regex: 'snake_case' })).toEqual(['d3']); // _ is no wildcard in a regex
      expect(await matching(col, { $regex: '^100' })).toEqual(['d1', 'd2']);
      expect(await matching(col, { $regex: '100%' })).toEqual(['d1']);
      expect(await matching(col, { $regex: 'sure$' })).toEqual(['d1', 'd2']);
      expect(await matching(col, { $regex: '\\\\' })).toEqual(['d5']); // the regex \\ is one literal backslash
      expect(await matching(col, { $regex: "it'?s" })).toEqual(['d7', 'd8']);
      expect(await matching(col, { $regex: '[0-9]+ percent' })).toEqual(['d2']);
      expect(await matching(col, { $regex: 'case|its' })).toEqual(['d3', 'd4', 'd8']);
      expect(await matching(col, { $regex: '(?i)SNAKE' })).toEqual(['d3', 'd4']);
      expect(await matching(col, { $regex: '.*' })).toEqual(ALL_IDS.filter((id) => id !== 'd9'));
      expect(await matching(col, { $regex: "'; DROP TABLE vecgate_collections; --" })).toEqual([]);
      expect(await matching(col, { $not_regex: '^100' })).toEqual(['d3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9']);
      expect((await col.get({ whereDocument: { $regex: 'C:.temp' } })).ids).toEqual(['d5']);
      const broken = await http(gw.url, 'POST', `${P}/collections/${col.id}/get`, { where_document: { $regex: '(' } });
      expect(broken.status).toBe(400);
      expect(broken.body.error).toBe('InvalidArgumentError');
      expect(broken.body.message).toMatch(/^Regex syntax errror/);
    });
  });

  describe('tenant, database and collection names', () => {
    it('creates and uses tenants and databases named with quotes, semicolons, unicode, spaces, slashes and %', async () => {
      const tenant = `o'brien "t"; DROP TABLE vecgate_tenants; --`;
      const database = '🙂 日本 db/a?b#c 100%';
      expect((await http(gw.url, 'POST', '/api/v2/tenants', { name: tenant })).status).toBe(200);
      expect((await http(gw.url, 'GET', `/api/v2/tenants/${enc(tenant)}`)).body).toEqual({ name: tenant });
      expect((await http(gw.url, 'GET', `/api/v2/tenants/${enc(tenant + ' ')}`)).status).toBe(404);
      const dup = await http(gw.url, 'POST', '/api/v2/tenants', { name: tenant });
      expect(dup.status).toBe(409);
      expect(dup.body).toEqual({ error: 'ChromaError', message: `Tenant [${tenant}] already exists` });

      expect((await http(gw.url, 'POST', `/api/v2/tenants/${enc(tenant)}/databases`, { name: database })).status).toBe(
        200,
      );
      const dbs = await http(gw.url, 'GET', `/api/v2/tenants/${enc(tenant)}/databases`);
      expect(dbs.body.map((d: any) => [d.tenant, d.name])).toEqual([[tenant, database]]);
      const one = await http(gw.url, 'GET', `/api/v2/tenants/${enc(tenant)}/databases/${enc(database)}`);
      expect(one.body).toMatchObject({ name: database, tenant });

      const scoped = new ChromaClient({ host: '127.0.0.1', port: gw.port, tenant, database });
      const col = await scoped.createCollection({ name: 'inside', embeddingFunction: null });
      await col.add({ ids: ["it's"], embeddings: [[1, 2, 3]], documents: ['inside a hostile database'] });
      expect((await col.get()).documents).toEqual(['inside a hostile database']);
      expect((await scoped.listCollections()).map((c) => c.name)).toEqual(['inside']);
      expect((await scoped.getCollection({ name: 'inside', embeddingFunction: null } as any)).id).toBe(col.id);
      // The default database does not see it, nor does a near-miss database name.
      expect((await client.listCollections()).map((c) => c.name)).not.toContain('inside');
      const nearMiss = await http(
        gw.url,
        'GET',
        `/api/v2/tenants/${enc(tenant)}/databases/${enc(database.slice(0, -1))}/collections`,
      );
      expect(nearMiss.body).toEqual([]);

      // Plain spaces and unicode-only names of at least 3 characters are fine too.
      for (const name of ['ten ant', '🙂🙂🙂', '日本語']) {
        expect((await http(gw.url, 'POST', '/api/v2/tenants', { name })).status).toBe(200);
        expect((await http(gw.url, 'GET', `/api/v2/tenants/${enc(name)}`)).body).toEqual({ name });
      }
      for (const name of ['ab', '🙂🙂', 'é']) {
        const short = await http(gw.url, 'POST', '/api/v2/tenants', { name });
        expect(short.status).toBe(400);
        expect(short.body.error).toBe('InvalidArgumentError');
      }

      // Deleting the hostile database removes its collection and nothing else.
      expect((await http(gw.url, 'DELETE', `/api/v2/tenants/${enc(tenant)}/databases/${enc(database)}`)).status).toBe(
        200,
      );
      expect((await http(gw.url, 'GET', `/api/v2/tenants/${enc(tenant)}/databases/${enc(database)}`)).status).toBe(404);
      expect((await http(gw.url, 'GET', `/api/v2/tenants/${enc(tenant)}`)).body).toEqual({ name: tenant });
    });

    it('refuses tenant and database names over 512 bytes with a 400, and creates nothing', async () => {
      const tenant = randomBytes(7680).toString('base64');
      const created = await http(gw.url, 'POST', '/api/v2/tenants', { name: tenant });
      expect(created.status).toBe(400);
      expect(created.body).toEqual({
        error: 'InvalidArgumentError',
        message: 'The tenant name is too long: 10240 bytes, at most 512 are allowed',
      });
      expect((await http(gw.url, 'GET', `/api/v2/tenants/${enc(tenant)}`)).status).toBe(404);
      const database = randomBytes(7680).toString('base64');
      const db = await http(gw.url, 'POST', '/api/v2/tenants/default_tenant/databases', { name: database });
      expect(db.status).toBe(400);
      expect(db.body.message).toBe('The database name is too long: 10240 bytes, at most 512 are allowed');
      const fits = '日'.repeat(170); // 510 bytes
      expect((await http(gw.url, 'POST', '/api/v2/tenants', { name: fits })).status).toBe(200);
      expect((await http(gw.url, 'GET', `/api/v2/tenants/${enc(fits)}`)).body).toEqual({ name: fits });
    });

    it("refuses collection names outside Chroma's rules with Chroma's 400 message, and creates nothing", async () => {
      const before = (await http(gw.url, 'GET', `${P}/collections_count`)).body;
      const bad = [
        "a'b; DROP TABLE vecgate_collections; --",
        'ab',
        'x"y',
        '日本語コレクション',
        'has space',
        '-abc',
        'abc-',
        '_abc',
        'a/b/c',
        'abc%',
        "it's",
        '🙂🙂🙂',
        'a'.repeat(513),
      ];
      for (const name of bad) {
        for (const getOrCreate of [false, true]) {
          const res = await http(gw.url, 'POST', `${P}/collections`, { name, get_or_create: getOrCreate });
          expect({ name, status: res.status, body: res.body }).toEqual({
            name,
            status: 400,
            body: { error: 'InvalidArgumentError', message: NAME_RULE(name) },
          });
        }
        await expect(client.createCollection({ name, embeddingFunction: null })).rejects.toThrow(
          /Expected a name containing 3-512 characters/,
        );
      }
      // A NUL is refused before the name rules are even read.
      const nul = await http(gw.url, 'POST', `${P}/collections`, { name: 'abc\u0000' });
      expect(nul.status).toBe(400);
      expect(nul.body.message).toMatch(/NUL character/);
      const dots = await http(gw.url, 'POST', `${P}/collections`, { name: 'a..b' });
      expect(dots.body).toEqual({
        error: 'InvalidArgumentError',
        message:
          'Validation error: name: Expected a name that does not contains two consecutive periods (..). Got a..b',
      });
      const ip = await http(gw.url, 'POST', `${P}/collections`, { name: '192.168.1.1' });
      expect(ip.body).toEqual({
        error: 'InvalidArgumentError',
        message: 'Validation error: name: Expected a name that is not a valid ip address. Got 192.168.1.1',
      });

      // A rename onto a bad name is refused the same way and leaves the name as it was.
      const col = await fresh('rename-me');
      const rename = await http(gw.url, 'PUT', `${P}/collections/${col.id}`, { new_name: INJECTION });
      expect(rename.status).toBe(400);
      expect(rename.body).toEqual({ error: 'InvalidArgumentError', message: NAME_RULE(INJECTION) });
      expect((await http(gw.url, 'GET', `${P}/collections/${col.name}`)).body.id).toBe(col.id);
      expect((await http(gw.url, 'GET', `${P}/collections_count`)).body).toBe(before + 1);
    });
  });

  describe('NUL characters', () => {
    const NUL = '\u0000';

    async function seeded(): Promise<Collection> {
      const col = await fresh('nul');
      await col.add({
        ids: ['r1', 'r2', 'r3'],
        embeddings: [
          [1, 0, 0],
          [0, 1, 0],
          [0, 0, 1],
        ],
        documents: ['one', 'two', 'three'],
        metadatas: [
          { k: 'v', n: 1 },
          { k: 'w', n: 2 },
          { k: 'v', n: 3 },
        ],
        uris: ['u1', 'u2', 'u3'],
      });
      return col;
    }

    it('refuses NULs in ids, documents, uris, metadata keys and metadata values on add, upsert and update with a 4xx, changing nothing', async () => {
      const col = await seeded();
      const before = await snapshot(col.id);
      const vec = [[0.5, 0.5, 0.5]];
      const cases: [string, any][] = [
        ['id', { ids: [`r${NUL}4`], embeddings: vec }],
        ['id that is only a NUL', { ids: [NUL], embeddings: vec }],
        ['document', { ids: ['r4'], embeddings: vec, documents: [`doc${NUL}ument`] }],
        ['uri', { ids: ['r4'], embeddings: vec, uris: [`u${NUL}`] }],
        ['metadata key', { ids: ['r4'], embeddings: vec, metadatas: [{ [`k${NUL}`]: 'v' }] }],
        ['metadata value', { ids: ['r4'], embeddings: vec, metadatas: [{ k: `v${NUL}` }] }],
        ['metadata array element', { ids: ['r4'], embeddings: vec, metadatas: [{ tags: ['a', `b${NUL}`] }] }],
      ];
      // The same against existing records: NUL must not overwrite r1's fields either.
      const existing: [string, any][] = [
        ['document of an existing record', { ids: ['r1'], embeddings: vec, documents: [`one${NUL}`] }],
        ['uri of an existing record', { ids: ['r1'], embeddings: vec, uris: [`u${NUL}`] }],
        ['metadata key of an existing record', { ids: ['r1'], embeddings: vec, metadatas: [{ [`${NUL}`]: 1 }] }],
        ['metadata value of an existing record', { ids: ['r1'], embeddings: vec, metadatas: [{ k: `${NUL}` }] }],
      ];
      for (const op of ['add', 'upsert', 'update']) {
        for (const [what, body] of [...cases, ...existing]) {
          const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/${op}`, body);
          if (op === 'add' && existing.some(([w]) => w === what) && res.status === 201) continue; // add ignores existing ids
          expectClientError(res, `${op} with a NUL in the ${what}`);
        }
      }
      expect(await snapshot(col.id)).toEqual(before);
      // The client surfaces the refusal as an error, too.
      await expect(col.add({ ids: ['r4'], embeddings: vec, documents: [`x${NUL}`] })).rejects.toThrow();
      expect(await snapshot(col.id)).toEqual(before);
    });

    it('refuses NULs in filter keys and values on get, query and delete with a 4xx, deleting nothing', async () => {
      const col = await seeded();
      const before = await snapshot(col.id);
      const wheres: any[] = [
        { [`k${NUL}`]: 'v' },
        { k: `v${NUL}` },
        { k: { $ne: `v${NUL}` } },
        { k: { $in: ['v', `w${NUL}`] } },
        { k: { $nin: [`${NUL}`] } },
        { [`n${NUL}`]: { $gt: 0 } },
        { [`n${NUL}`]: { $ne: 1 } },
        { tags: { $contains: `a${NUL}` } },
        { $or: [{ k: 'v' }, { [`${NUL}`]: 'v' }] },
        { '#document': { $contains: `o${NUL}` } },
      ];
      const documentFilters: any[] = [
        { $contains: `o${NUL}` },
        { $not_contains: `${NUL}` },
        { $regex: `o${NUL}` },
        { $not_regex: `${NUL}` },
      ];
      const requests: [string, any][] = [
        ...wheres.map((where): [string, any] => ['get', { where }]),
        ...documentFilters.map((where_document): [string, any] => ['get', { where_document }]),
        ['get', { ids: [`r1${NUL}`] }],
        ['get', { ids: ['r1', NUL] }],
        ...wheres.map((where): [string, any] => ['query', { query_embeddings: [[1, 0, 0]], where }]),
        ...documentFilters.map((where_document): [string, any] => [
          'query',
          { query_embeddings: [[1, 0, 0]], where_document },
        ]),
        ['query', { query_embeddings: [[1, 0, 0]], ids: [`r1${NUL}`] }],
        // A NUL inside a negation must not delete everything that "is not" the NUL value.
        ...wheres.map((where): [string, any] => ['delete', { where }]),
        ...documentFilters.map((where_document): [string, any] => ['delete', { where_document }]),
        ['delete', { ids: [`r1${NUL}`] }],
        ['delete', { ids: ['r2', `r1${NUL}`] }],
      ];
      for (const [op, body] of requests) {
        const res = await http(gw.url, 'POST', `${P}/collections/${col.id}/${op}`, body);
        expectClientError(res, `${op} ${JSON.stringify(body)}`);
      }
      expect(await snapshot(col.id)).toEqual(before);
      await expect(col.delete({ where: { k: { $ne: `v${NUL}` } } })).rejects.toThrow();
      expect(await snapshot(col.id)).toEqual(before);
    });

    it('refuses NULs in tenant, database and collection names and in collection metadata with a 4xx, creating nothing', async () => {
      const collectionsBefore = (await http(gw.url, 'GET', `${P}/collections`)).body;
      const databasesBefore = (await http(gw.url, 'GET', '/api/v2/tenants/default_tenant/databases')).body;

      expectClientError(await http(gw.url, 'POST', '/api/v2/tenants', { name: `ten${NUL}ant` }), 'tenant name');
      expectClientError(
        await http(gw.url, 'POST', '/api/v2/tenants/default_tenant/databases', { name: `data${NUL}base` }),
        'database name',
      );
      expectClientError(
        await http(gw.url, 'POST', `${P}/collections`, { name: `col${NUL}lection` }),
        'collection name',
      );
      expectClientError(
        await http(gw.url, 'POST', `${P}/collections`, { name: 'nul-meta-key', metadata: { [`k${NUL}`]: 'v' } }),
        'collection metadata key',
      );
      expectClientError(
        await http(gw.url, 'POST', `${P}/collections`, { name: 'nul-meta-value', metadata: { k: `v${NUL}` } }),
        'collection metadata value',
      );
      expectClientError(
        await http(gw.url, 'POST', `${P}/collections`, {
          name: 'nul-meta-value',
          metadata: { k: `v${NUL}` },
          get_or_create: true,
        }),
        'collection metadata value with get_or_create',
      );
      expect((await http(gw.url, 'GET', `${P}/collections/nul-meta-key`)).status).toBe(404);
      expect((await http(gw.url, 'GET', `${P}/collections/nul-meta-value`)).status).toBe(404);

      const col = await client.createCollection({
        name: `nul-modify-${++counter}`,
        metadata: { keep: 'this' },
        embeddingFunction: null,
      });
      expectClientError(
        await http(gw.url, 'PUT', `${P}/collections/${col.id}`, { new_metadata: { k: `v${NUL}` } }),
        'new_metadata value',
      );
      expectClientError(
        await http(gw.url, 'PUT', `${P}/collections/${col.id}`, { new_metadata: { [NUL]: 1 } }),
        'new_metadata key',
      );
      expectClientError(
        await http(gw.url, 'PUT', `${P}/collections/${col.id}`, { new_name: `re${NUL}name` }),
        'new_name',
      );
      const after = await http(gw.url, 'GET', `${P}/collections/${col.name}`);
      expect(after.body.metadata).toEqual({ keep: 'this' });
      expect(after.body.name).toBe(col.name);

      expect((await http(gw.url, 'GET', `${P}/collections`)).body.map((c: any) => c.id)).toEqual([
        ...collectionsBefore.map((c: any) => c.id),
        col.id,
      ]);
      expect((await http(gw.url, 'GET', '/api/v2/tenants/default_tenant/databases')).body).toEqual(databasesBefore);
    });

    it('writes nothing at all when the 3rd of 5 records in one add, upsert or update carries a NUL', async () => {
      // A fresh collection: the failed first add must not even fix the dimension.
      const empty = await fresh('nul-batch');
      const five = (dim: number, bad: (i: number) => Record<string, unknown>) => ({
        ids: ['b1', 'b2', 'b3', 'b4', 'b5'],
        embeddings: [1, 2, 3, 4, 5].map((i) => Array.from({ length: dim }, () => i)),
        documents: [1, 2, 3, 4, 5].map((i) => (i === 3 ? `third${NUL}` : `doc ${i}`)),
        metadatas: [1, 2, 3, 4, 5].map((i) => ({ i, ...(i === 3 ? bad(i) : {}) })),
      });
      await expect(empty.add(five(3, () => ({})))).rejects.toThrow();
      expect(await empty.count()).toBe(0);
      const described = await http(gw.url, 'GET', `${P}/collections/${empty.name}`);
      expect(described.body.dimension).toBeNull();
      // Had the failed add fixed the dimension at 3, this 2-dimensional add would be refused.
      await empty.add({ ids: ['two-d'], embeddings: [[1, 2]] });
      expect((await http(gw.url, 'GET', `${P}/collections/${empty.name}`)).body.dimension).toBe(2);

      // A collection with records: neither new records nor changes to existing ones survive.
      const col = await seeded();
      const before = await snapshot(col.id);
      const metadataNul = (i: number) => ({ [`bad${NUL}`]: i });
      const batches: [string, any][] = [
        ['add', { ...five(3, metadataNul), documents: undefined }],
        ['add', five(3, () => ({}))],
        ['upsert', { ...five(3, () => ({})), ids: ['r1', 'r2', 'b3', 'r3', 'b5'] }],
        ['upsert', { ...five(3, metadataNul), ids: ['r1', 'r2', 'b3', 'r3', 'b5'], documents: undefined }],
        ['update', { ...five(3, () => ({})), ids: ['r1', 'r2', 'r3', 'b4', 'b5'] }],
      ];
      for (const [op, body] of batches) {
        expectClientError(
          await http(gw.url, 'POST', `${P}/collections/${col.id}/${op}`, body),
          `${op} of five with a NUL in the third`,
        );
      }
      expect(await snapshot(col.id)).toEqual(before);
    });
  });

  describe('path segments', () => {
    it('answers encoded quotes, semicolons, slashes and NULs in path segments with 404 or 400, never 500', async () => {
      const uuidish = '00000000-0000-4000-8000-000000000000';
      const EITHER = [400, 404];
      const requests: [string, string, unknown, number | number[]][] = [
        ['GET', `${P}/collections/%27%3B`, undefined, 404],
        ['DELETE', `${P}/collections/%27%3B`, undefined, 404],
        ['GET', `${P}/collections/%22%3B%20DROP%20TABLE%20vecgate_collections%3B--`, undefined, 404],
        ['DELETE', `${P}/collections/%22%3B%20DROP%20TABLE%20vecgate_collections%3B--`, undefined, 404],
        ['GET', `${P}/collections/%2F..%2F..%2Fsentinel`, undefined, 404],
        ['GET', `${P}/collections/sentinel%27`, undefined, 404],
        ['GET', `${P}/collections/sentinel%00`, undefined, EITHER],
        ['DELETE', `${P}/collections/sentinel%00`, undefined, EITHER],
        ['GET', '/api/v2/tenants/default%00tenant', undefined, EITHER],
        ['GET', '/api/v2/tenants/default_tenant/databases/default%00database', undefined, EITHER],
        ['GET', `${P}/collections/%E0%A4%A`, undefined, 400],
        ['PUT', `${P}/collections/%27%3B`, { new_name: 'fine-name' }, 400],
        ['GET', `${P}/collections/by-id/%27%3B`, undefined, 400],
        ['POST', `${P}/collections/%27%3B/add`, { ids: ['a'], embeddings: [[1, 2, 3]] }, 400],
        ['POST', `${P}/collections/%27%3B/upsert`, { ids: ['a'], embeddings: [[1, 2, 3]] }, 400],
        ['POST', `${P}/collections/%27%3B/update`, { ids: ['a'] }, 400],
        ['POST', `${P}/collections/%27%3B/get`, {}, 400],
        ['POST', `${P}/collections/%27%3B/query`, { query_embeddings: [[1, 2, 3]] }, 400],
        ['POST', `${P}/collections/%27%3B/delete`, { ids: ['s1'] }, 400],
        ['GET', `${P}/collections/%27%3B/count`, undefined, 400],
        ['POST', `${P}/collections/${uuidish}%27%3B/get`, {}, 400],
        ['POST', `${P}/collections/${uuidish}%00/delete`, { ids: ['s1'] }, EITHER],
        ['POST', `${P}/collections/${uuidish}/get`, {}, 404],
        ['GET', '/api/v2/tenants/%27%3B%20DROP%20TABLE%20vecgate_tenants%3B--', undefined, 404],
        ['GET', '/api/v2/tenants/%27%3B/databases/%27%3B', undefined, 404],
        [
          'DELETE',
          '/api/v2/tenants/default_tenant/databases/%27%3B%20DROP%20TABLE%20vecgate_databases%3B--',
          undefined,
          404,
        ],
        ['POST', '/api/v2/tenants/%27%3B/databases', { name: 'fine-name' }, 404],
        ['POST', '/api/v2/tenants/default_tenant/databases/%27%3B/collections', { name: 'fine-name' }, 400],
        ['GET', '/api/v2/tenants/default_tenant/databases/%27%3B/collections/sentinel', undefined, 404],
        ['POST', `/api/v2/tenants/default_tenant/databases/%27%3B/collections/${sentinel.id}/get`, {}, 404],
        [
          'POST',
          `/api/v2/tenants/%27%3B/databases/default_database/collections/${sentinel.id}/delete`,
          { ids: ['s1'] },
          404,
        ],
      ];
      for (const [method, path, body, expected] of requests) {
        const res = await http(gw.url, method, path, body);
        const allowed = Array.isArray(expected) ? expected : [expected];
        expect({ method, path, status: allowed.includes(res.status) ? allowed : res.status }).toEqual({
          method,
          path,
          status: allowed,
        });
        expect(Object.keys(res.body ?? {}).sort()).toEqual(['error', 'message']);
      }
      // Listings under a hostile, unknown scope are empty, as Chroma's are.
      for (const path of [
        '/api/v2/tenants/%27%3B/databases',
        '/api/v2/tenants/default_tenant/databases/%27%3B%20--/collections',
      ]) {
        const res = await http(gw.url, 'GET', path);
        expect({ path, status: res.status, body: res.body }).toEqual({ path, status: 200, body: [] });
      }
    });
  });
});
