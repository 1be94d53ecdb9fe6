import { http, gatewayForFile } from '../../support/gateway';

/**
 * Pinecone's metadata filter semantics against stored records: every filter is run through query
 * (topK large), describe_index_stats, fetch_by_metadata, delete and update, and all of them must
 * select the same records.
 */
const WEIRD_KEY = `it's; "quoted" -- é 日本`;
const WEIRD_VALUE = `v'); DROP TABLE x; -- "ü"`;

const RECORDS: { id: string; metadata?: Record<string, unknown> }[] = [
  { id: 'drama19', metadata: { genre: 'drama', year: 2019, rating: 7 } },
  { id: 'comedy20', metadata: { genre: 'comedy', year: 2020, rating: 6.5 } },
  { id: 'both21', metadata: { genre: ['comedy', 'drama'], year: 2021, rating: 9 } },
  { id: 'doc18', metadata: { genre: 'documentary', year: 2018, subtitled: true } },
  { id: 'thrill', metadata: { genre: 'thriller', subtitled: false } },
  { id: 'strYear', metadata: { genre: 'drama', year: '2020' } },
  { id: 'bare' },
  { id: 'weird', metadata: { [WEIRD_KEY]: WEIRD_VALUE, ключ: 'значение' } },
];
const ALL_IDS = RECORDS.map((r) => r.id).sort();

const sorted = (ids: string[]) => [...ids].sort();

/** [what it proves, filter, ids it selects] */
const CASES: [string, Record<string, unknown>, string[]][] = [
  ['shorthand equality matches a scalar and a list element', { genre: 'drama' }, ['drama19', 'both21', 'strYear']],
  ['$eq is the same as the shorthand', { genre: { $eq: 'drama' } }, ['drama19', 'both21', 'strYear']],
  ['a list matches when any element matches', { genre: 'comedy' }, ['comedy20', 'both21']],
  ['$and of two list values needs both', { $and: [{ genre: 'comedy' }, { genre: 'drama' }] }, ['both21']],
  ['several keys are an implicit AND', { genre: 'drama', year: 2019 }, ['drama19']],
  [
    'an implicit AND with a range leaves out string numbers',
    { genre: 'drama', year: { $gte: 2019 } },
    ['drama19', 'both21'],
  ],
  ['several operators on one key are an AND', { year: { $gte: 2019, $lt: 2021 } }, ['drama19', 'comedy20']],
  ['$gt', { year: { $gt: 2019 } }, ['comedy20', 'both21']],
  ['$gte', { year: { $gte: 2020 } }, ['comedy20', 'both21']],
  ['$lt', { year: { $lt: 2019 } }, ['doc18']],
  ['$lte', { year: { $lte: 2019 } }, ['drama19', 'doc18']],
  ['ranges on fractional numbers', { rating: { $gt: 6.5, $lte: 9 } }, ['drama19', 'both21']],
  ['equality on a fractional number', { rating: 6.5 }, ['comedy20']],
  ['a number never equals a string', { year: 2020 }, ['comedy20']],
  ['a string never equals a number', { year: '2020' }, ['strYear']],
  [
    '$ne excludes records without the key and lists holding the value',
    { genre: { $ne: 'drama' } },
    ['comedy20', 'doc18', 'thrill'],
  ],
  [
    '$ne on a number keeps other types that have the key',
    { year: { $ne: 2019 } },
    ['comedy20', 'both21', 'doc18', 'strYear'],
  ],
  [
    '$nin excludes records without the key and lists holding a value',
    { genre: { $nin: ['drama', 'comedy'] } },
    ['doc18', 'thrill'],
  ],
  ['$in matches any element of a list', { genre: { $in: ['comedy', 'documentary'] } }, ['comedy20', 'both21', 'doc18']],
  ['$in on numbers', { year: { $in: [2018, 2021] } }, ['doc18', 'both21']],
  ['$exists: true', { genre: { $exists: true } }, ['drama19', 'comedy20', 'both21', 'doc18', 'thrill', 'strYear']],
  [
    '$exists: false includes records without the key or without metadata',
    { genre: { $exists: false } },
    ['bare', 'weird'],
  ],
  [
    '$exists: false or $ne: everything without the value',
    { $or: [{ genre: { $exists: false } }, { genre: { $ne: 'drama' } }] },
    ['bare', 'weird', 'comedy20', 'doc18', 'thrill'],
  ],
  ['$or across keys', { $or: [{ genre: 'thriller' }, { year: 2018 }] }, ['thrill', 'doc18']],
  [
    'nested $and inside $or',
    { $or: [{ $and: [{ genre: 'drama' }, { year: { $lt: 2020 } }] }, { subtitled: false }] },
    ['drama19', 'thrill'],
  ],
  ['booleans: true', { subtitled: true }, ['doc18']],
  ['booleans: false', { subtitled: { $eq: false } }, ['thrill']],
  ['$ne on a boolean', { subtitled: { $ne: true } }, ['thrill']],
  ['string equality is case-sensitive', { genre: 'Drama' }, []],
  ['a key with quotes, semicolons and unicode, literally', { [WEIRD_KEY]: WEIRD_VALUE }, ['weird']],
  ['the same key through $in', { [WEIRD_KEY]: { $in: [WEIRD_VALUE, 'other'] } }, ['weird']],
  ['the same key through $exists', { [WEIRD_KEY]: { $exists: true } }, ['weird']],
  ['a prefix of the value does not match', { [WEIRD_KEY]: 'v' }, []],
  ['a cyrillic key and value', { ключ: 'значение' }, ['weird']],
  ['an injection-shaped key is just a key', { "genre' OR '1'='1": 'drama' }, []],
  ['an injection-shaped value is just a value', { genre: "drama' OR '1'='1" }, []],
];

describe('Pinecone filters', () => {
  const gw = gatewayForFile();
  const IX = '/indexes/filters';
  let nsCounter = 0;

  async function seed(namespace: string): Promise<void> {
    const vectors = RECORDS.map((r, k) => ({
      id: r.id,
      values: [1, k + 1],
      ...(r.metadata ? { metadata: r.metadata } : {}),
    }));
    const res = await http(gw.url, 'POST', `${IX}/vectors/upsert`, { vectors, namespace });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ upsertedCount: RECORDS.length });
  }

  beforeAll(async () => {
    const created = await http(gw.url, 'POST', '/indexes', {
      name: 'filters',
      dimension: 2,
      metric: 'euclidean',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    expect(created.status).toBe(201);
    await seed('base');
  });

  const fresh = async () => {
    const ns = `scratch-${++nsCounter}`;
    await seed(ns);
    return ns;
  };

  async function queryIds(filter: unknown, namespace = 'base', raw?: string): Promise<string[]> {
    const body = raw ?? { vector: [0, 0], topK: 10000, filter, namespace };
    const res = await http(gw.url, 'POST', `${IX}/query`, body);
    expect(res.status).toBe(200);
    return sorted(res.body.matches.map((m: { id: string }) => m.id));
  }

  async function listIds(namespace: string): Promise<string[]> {
    const res = await http(gw.url, 'GET', `${IX}/vectors/list?namespace=${encodeURIComponent(namespace)}&limit=1000`);
    expect(res.status).toBe(200);
    return res.body.vectors.map((v: { id: string }) => v.id);
  }

  async function metadataOf(namespace: string): Promise<Record<string, unknown>> {
    const res = await http(
      gw.url,
      'GET',
      `${IX}/vectors/fetch?${RECORDS.map((r) => `ids=${r.id}`).join('&')}&namespace=${namespace}`,
    );
    expect(res.status).toBe(200);
    return Object.fromEntries(
      Object.entries(res.body.vectors).map(([id, v]) => [id, (v as { metadata?: unknown }).metadata ?? null]),
    );
  }

  describe.each(CASES)('%s', (_, filter, expected) => {
    it('selects the same records in query', async () => {
      expect(await queryIds(filter)).toEqual(sorted(expected));
    });

    it('counts them in describe_index_stats', async () => {
      const res = await http(gw.url, 'POST', `${IX}/describe_index_stats`, { filter });
      expect(res.status).toBe(200);
      expect(res.body.namespaces.base?.vectorCount ?? 0).toBe(expected.length);
    });

    it('fetches them with fetch_by_metadata', async () => {
      const res = await http(gw.url, 'POST', `${IX}/vectors/fetch_by_metadata`, {
        filter,
        namespace: 'base',
        limit: 1000,
      });
      expect(res.status).toBe(200);
      expect(sorted(Object.keys(res.body.vectors))).toEqual(sorted(expected));
    });
  });

  it('deletes exactly what each filter selects', async () => {
    for (const [, filter, expected] of CASES) {
      const ns = await fresh();
      const res = await http(gw.url, 'POST', `${IX}/vectors/delete`, { filter, namespace: ns });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({});
      expect(await listIds(ns)).toEqual(ALL_IDS.filter((id) => !expected.includes(id)));
    }
  });

  it('updates exactly what each filter selects, merging the new keys into the old metadata', async () => {
    for (const [what, filter, expected] of CASES) {
      const ns = await fresh();
      const before = await metadataOf(ns);
      const res = await http(gw.url, 'POST', `${IX}/vectors/update`, {
        filter,
        setMetadata: { touched: what },
        namespace: ns,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ matchedRecords: expected.length });
      const after = await metadataOf(ns);
      for (const id of ALL_IDS) {
        const old = before[id] as Record<string, unknown> | null;
        expect([id, after[id]]).toEqual([id, expected.includes(id) ? { ...(old ?? {}), touched: what } : old]);
      }
      expect(await queryIds({ touched: what }, ns)).toEqual(sorted(expected));
    }
  });

  it('counts without changing anything on an update dryRun', async () => {
    const ns = await fresh();
    const before = await metadataOf(ns);
    const res = await http(gw.url, 'POST', `${IX}/vectors/update`, {
      filter: { year: { $gte: 2019, $lt: 2021 } },
      setMetadata: { year: 0 },
      dryRun: true,
      namespace: ns,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ matchedRecords: 2 });
    expect(await metadataOf(ns)).toEqual(before);
  });

  it('compares numbers numerically: 2 equals 2.0, and never equals "2"', async () => {
    const ns = 'numbers';
    const upsert = await http(
      gw.url,
      'POST',
      `${IX}/vectors/upsert`,
      `{"namespace": "${ns}", "vectors": [
        {"id": "int", "values": [1, 1], "metadata": {"n": 2}},
        {"id": "float", "values": [1, 2], "metadata": {"n": 2.0}},
        {"id": "half", "values": [1, 3], "metadata": {"n": 2.5}},
        {"id": "str", "values": [1, 4], "metadata": {"n": "2"}},
        {"id": "exp", "values": [1, 5], "metadata": {"n": 2e1}}
      ]}`,
    );
    expect(upsert.status).toBe(200);
    const raw = (filter: string) =>
      queryIds(undefined, ns, `{"namespace": "${ns}", "vector": [0, 0], "topK": 100, "filter": ${filter}}`);
    expect(await raw('{"n": 2}')).toEqual(['float', 'int']);
    expect(await raw('{"n": 2.0}')).toEqual(['float', 'int']);
    expect(await raw('{"n": {"$eq": 2.00}}')).toEqual(['float', 'int']);
    expect(await raw('{"n": {"$in": [2.0, 20]}}')).toEqual(['exp', 'float', 'int']);
    expect(await raw('{"n": {"$gt": 2.0}}')).toEqual(['exp', 'half']);
    expect(await raw('{"n": {"$gte": 2, "$lt": 2.5}}')).toEqual(['float', 'int']);
    expect(await raw('{"n": {"$ne": 2}}')).toEqual(['exp', 'half', 'str']);
    expect(await raw('{"n": "2"}')).toEqual(['str']);
    expect(await raw('{"n": {"$in": ["2"]}}')).toEqual(['str']);
    expect(await raw('{"n": {"$nin": [2, 2.5]}}')).toEqual(['exp', 'str']);
  });

  it('applies the filter within the query namespace only, and to a query by id', async () => {
    const ns = await fresh();
    const res = await http(gw.url, 'POST', `${IX}/query`, {
      id: 'drama19',
      topK: 10000,
      filter: { genre: 'comedy' },
      namespace: ns,
    });
    expect(res.status).toBe(200);
    expect(sorted(res.body.matches.map((m: { id: string }) => m.id))).toEqual(['both21', 'comedy20']);
    const stats = await http(gw.url, 'POST', `${IX}/describe_index_stats`, { filter: { genre: 'comedy' } });
    expect(stats.body.namespaces[ns].vectorCount).toBe(2);
    expect(stats.body.namespaces.base.vectorCount).toBe(2);
  });

  it('returns exactly topK filtered results, best first', async () => {
    const res = await http(gw.url, 'POST', `${IX}/query`, {
      vector: [1, 0],
      topK: 2,
      filter: { genre: { $exists: true } },
      namespace: 'base',
      includeMetadata: true,
    });
    expect(res.status).toBe(200);
    // Euclidean: the squared distance, ascending; drama19 is [1,1] and comedy20 [1,2].
    expect(res.body.matches.map((m: { id: string; score: number }) => [m.id, m.score])).toEqual([
      ['drama19', 1],
      ['comedy20', 4],
    ]);
    expect(res.body.matches[0].metadata).toEqual({ genre: 'drama', year: 2019, rating: 7 });
  });

  it.each([
    ['a list as a value', { genre: ['a', 'b'] }],
    ['$eq with a list', { genre: { $eq: ['a'] } }],
    ['an unknown operator', { genre: { $regex: 'dr' } }],
    ['$gt on a string', { year: { $gt: '2019' } }],
    ['$in that is not an array', { genre: { $in: 'drama' } }],
    ['$exists with a non-boolean', { genre: { $exists: 'true' } }],
    ['a null value', { genre: null }],
    ['$or that is not an array', { $or: { genre: 'drama' } }],
  ])('refuses %s with 400 everywhere a filter is taken, changing nothing', async (_, filter) => {
    const ns = await fresh();
    const calls: [string, unknown][] = [
      ['query', { vector: [0, 0], topK: 10, filter, namespace: ns }],
      ['describe_index_stats', { filter }],
      ['vectors/fetch_by_metadata', { filter, namespace: ns }],
      ['vectors/delete', { filter, namespace: ns }],
      ['vectors/update', { filter, setMetadata: { x: 'y' }, namespace: ns }],
    ];
    const before = await metadataOf(ns);
    for (const [path, body] of calls) {
      const res = await http(gw.url, 'POST', `${IX}/${path}`, body);
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.body.code).toBe(3);
      expect(res.body.details).toEqual([]);
      expect(typeof res.body.message).toBe('string');
    }
    expect(await metadataOf(ns)).toEqual(before);
  });
});
