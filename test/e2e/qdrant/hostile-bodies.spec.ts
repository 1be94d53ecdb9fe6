import { gatewayForFile, http } from '../../support/gateway';
import { collectionName, expectQdrantError, qdrantHttp } from './qdrant-helpers';

/** A pattern for exactly this text. */
function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/**
 * Bodies that are not what Qdrant takes, on the Qdrant port: each is a 400 in Qdrant's shape and
 * words, and leaves every point, payload, collection and alias as it was.
 */
describe('Qdrant refuses hostile bodies and changes nothing', () => {
  const gw = gatewayForFile({ qdrantPort: 0 });
  const q = () => qdrantHttp(gw);
  const name = collectionName('hostile');

  beforeAll(async () => {
    expect((await q().put(`/collections/${name}`, { vectors: { size: 3, distance: 'Dot' } })).status).toBe(200);
    const points = [1, 2, 3].map((id) => ({
      id,
      vector: [id, 1, 0],
      payload: { g: id, tag: 'x', items: [{ n: id }], when: `2024-0${id}-01T00:00:00Z` },
    }));
    expect((await q().put(`/collections/${name}/points?wait=true`, { points })).status).toBe(200);
  });

  /** Every point with its payload and vector: what a refused request must leave as it was. */
  async function points(): Promise<unknown> {
    const res = await q().post(`/collections/${name}/points/scroll`, {
      limit: 100,
      with_payload: true,
      with_vector: true,
    });
    expect(res.status).toBe(200);
    return res.body.result.points;
  }

  const filter = { key: 'g', match: { value: 1 } };
  const FILTER_FIELDS = 'expected one of `should`, `min_should`, `must`, `must_not`';

  it.each([
    [
      'a condition where a filter belongs, in a delete',
      'POST',
      'points/delete',
      { filter },
      `^Format error in JSON body: unknown field \`key\` in filter, ${FILTER_FIELDS}$`,
    ],
    [
      'a misspelt must, in a delete',
      'POST',
      'points/delete',
      { filter: { mustt: [filter] } },
      'unknown field `mustt` in filter,',
    ],
    [
      'a misspelt must, in a set_payload',
      'POST',
      'points/payload',
      { payload: { hit: true }, filter: { mustt: [filter] } },
      '`mustt` in filter,',
    ],
    [
      'a condition for a filter, in an overwrite_payload',
      'PUT',
      'points/payload',
      { payload: {}, filter },
      '`key` in filter,',
    ],
    [
      'a misspelt must_not, in a delete_payload',
      'POST',
      'points/payload/delete',
      { keys: ['g'], filter: { mustnot: [filter] } },
      '`mustnot` in filter,',
    ],
    ['a condition for a filter, in a clear_payload', 'POST', 'points/payload/clear', { filter }, '`key` in filter,'],
    [
      'a condition for a filter, in a delete_vectors',
      'POST',
      'points/vectors/delete',
      { vector: [''], filter },
      '`key` in filter,',
    ],
    [
      'a misspelt update_filter clause, in an update_vectors',
      'PUT',
      'points/vectors',
      { points: [{ id: 1, vector: [9, 9, 9] }], update_filter: { mustt: [filter] } },
      '`mustt` in update_filter,',
    ],
    [
      'a condition for an update_filter, in an upsert',
      'PUT',
      'points',
      { points: [{ id: 1, vector: [9, 9, 9], payload: { g: 9 } }], update_filter: filter },
      '`key` in update_filter,',
    ],
    [
      'a condition for a filter, in a batch delete',
      'POST',
      'points/batch',
      { operations: [{ delete: { filter } }] },
      '`key` in filter,',
    ],
    [
      'a misspelt field of a batch operation',
      'POST',
      'points/batch',
      { operations: [{ delete: { points: [1], filterr: filter } }] },
      'unknown field `filterr` in operations\\[0\\]\\.delete, expected one of `points`, `filter`, `shard_key`$',
    ],
    [
      'a misspelt field of a condition',
      'POST',
      'points/delete',
      { filter: { must: [{ ...filter, rnage: { gt: 0 } }] } },
      'unknown field `rnage` in filter\\.must\\[0\\],',
    ],
    [
      'two match variants in one',
      'POST',
      'points/delete',
      { filter: { must: [{ key: 'g', match: { value: 1, any: [2] } }] } },
      'unknown field `any` in filter\\.must\\[0\\]\\.match, expected `value`$',
    ],
    [
      'a misspelt field of a range',
      'POST',
      'points/delete',
      { filter: { must: [{ key: 'g', range: { gte: 1, lesser: 3 } }] } },
      'unknown field `lesser` in filter\\.must\\[0\\]\\.range,',
    ],
    [
      'a misspelt field inside a nested filter',
      'POST',
      'points/delete',
      { filter: { must: [{ nested: { key: 'items', filter: { mustt: [{ key: 'n', match: { value: 1 } }] } } }] } },
      '`mustt` in filter\\.must\\[0\\]\\.nested\\.filter,',
    ],
    [
      'a field too many in a min_should',
      'POST',
      'points/delete',
      { filter: { min_should: { conditions: [filter], min_count: 1, max_count: 2 } } },
      '`max_count` in filter\\.min_should,',
    ],
    [
      'a field too many in an is_empty',
      'POST',
      'points/delete',
      { filter: { must_not: [{ is_empty: { key: 'g', strict: true } }] } },
      '`strict` in filter\\.must_not\\[0\\]\\.is_empty, expected `key`$',
    ],
    [
      'a field beside has_id',
      'POST',
      'points/delete',
      { filter: { should: { has_id: [1], key: 'g' } } },
      'unknown field `has_id` in filter\\.should,',
    ],
    [
      'a misspelt field of a delete body',
      'POST',
      'points/delete',
      { points: [1], filterr: filter },
      '^Format error in JSON body: unknown field `filterr` in the body, expected one of `points`, `filter`, `shard_key`$',
    ],
    [
      'a misspelt field of a points selector',
      'POST',
      'points/delete',
      { points: { filter: { must: [filter] }, pointz: [2] } },
      'unknown field `pointz` in points,',
    ],
    [
      'a misspelt field of a set_payload body',
      'POST',
      'points/payload',
      { payload: { hit: true }, points: [1], fillter: filter },
      'unknown field `fillter` in the body,',
    ],
    [
      'a misspelt field of a point',
      'PUT',
      'points',
      { points: [{ id: 1, vector: [9, 9, 9], payloads: { g: 9 } }] },
      'unknown field `payloads` in points\\[0\\], expected one of `id`, `vector`, `vectors`, `payload`$',
    ],
    [
      'a misspelt field of a batch of points',
      'PUT',
      'points',
      { batch: { ids: [1], vectors: [[9, 9, 9]], payload: [{ g: 9 }] } },
      'unknown field `payload` in batch,',
    ],
  ])('refuses %s (%s %s)', async (_what, method, route, body, words) => {
    const before = await points();
    expectQdrantError(await http(gw.qdrantUrl, method, `/collections/${name}/${route}`, body), 400, new RegExp(words));
    expect(await points()).toEqual(before);
  });

  it.each([
    ['count', 'points/count', { filter }, '`key` in filter,'],
    ['scroll', 'points/scroll', { filter: { mustt: [filter] } }, '`mustt` in filter,'],
    ['facet', 'facet', { key: 'tag', filter: { mustt: [filter] } }, '`mustt` in filter,'],
    ['query', 'points/query', { query: [1, 0, 0], filter }, '`key` in filter,'],
    ['query, a misspelt field', 'points/query', { query: [1, 0, 0], limitt: 1 }, 'unknown field `limitt` in the body,'],
    [
      'query, a misspelt mmr field',
      'points/query',
      { query: { nearest: [1, 0, 0], mmr: { diversity: 0.5, candidates: 3 } } },
      'unknown field `candidates` in query\\.mmr, expected `diversity` or `candidates_limit`$',
    ],
    [
      'query, a misspelt prefetch field',
      'points/query',
      { prefetch: [{ query: [1, 0, 0], limitt: 2 }], query: { fusion: 'rrf' } },
      'unknown field `limitt` in prefetch\\[0\\],',
    ],
    [
      'query, a misspelt recommend field',
      'points/query',
      { query: { recommend: { positive: [1], negatives: [2] } } },
      'unknown field `negatives` in query\\.recommend,',
    ],
    [
      'query, a misspelt search param',
      'points/query',
      { query: [1, 0, 0], params: { hnsw: 10 } },
      'unknown field `hnsw` in params,',
    ],
    [
      'query, both include and exclude',
      'points/query',
      { query: [1, 0, 0], with_payload: { include: ['g'], exclude: ['tag'] } },
      'unknown field `exclude` in with_payload, expected `include`$',
    ],
    [
      'query batch, a misspelt field of one search',
      'points/query/batch',
      { searches: [{ query: [1, 0, 0] }, { query: [1, 0, 0], filterr: filter }] },
      'unknown field `filterr` in searches\\[1\\],',
    ],
    ['legacy search', 'points/search', { vector: [1, 0, 0], limit: 3, filtre: filter }, '`filtre` in the body,'],
    [
      'legacy search, a misspelt named vector',
      'points/search',
      { vector: { name: '', vectr: [1, 0, 0] }, limit: 3 },
      '`vectr` in vector,',
    ],
    [
      'scroll, a misspelt order_by field',
      'points/scroll',
      { order_by: { key: 'g', dir: 'desc' } },
      '`dir` in order_by,',
    ],
    ['retrieve', 'points', { ids: [1], with_payloads: true }, '`with_payloads` in the body,'],
  ])('refuses a read with %s instead of answering it', async (_what, route, body, words) => {
    expectQdrantError(await q().post(`/collections/${name}/${route}`, body), 400, new RegExp(words));
  });

  it('still takes every field Qdrant knows, its aliases included', async () => {
    const before = await points();
    // Fields vecgate accepts and does not act on.
    const count = await q().post(`/collections/${name}/points/count`, { filter: { must: [filter] }, exact: false });
    expect(count.body.result).toEqual({ count: 1 });
    const query = await q().post(`/collections/${name}/points/query`, {
      query: [1, 0, 0],
      params: { hnsw_ef: 64, exact: true, quantization: { rescore: true } },
      limit: 1,
      with_vectors: true,
    });
    expect(query.body.result.points).toEqual([{ id: 3, version: 0, score: 3, vector: [3, 1, 0] }]);
    // serde's aliases: `with_vectors`, `top`, a point's `vectors`.
    const got = await q().post(`/collections/${name}/points`, { ids: [2], with_vectors: true, with_payload: false });
    expect(got.body.result).toEqual([{ id: 2, vector: [2, 1, 0] }]);
    const top = await q().post(`/collections/${name}/points/search`, { vector: [1, 0, 0], top: 1 });
    expect(top.body.result.map((p: { id: number }) => p.id)).toEqual([3]);
    expectQdrantError(
      await q().post(`/collections/${name}/points/search`, { vector: [1, 0, 0], top: 1, limit: 2 }),
      400,
      /^Format error in JSON body: duplicate field `limit`$/,
    );
    // A field condition's own is_empty and is_null.
    const notEmpty = await q().post(`/collections/${name}/points/count`, {
      filter: {
        must: [
          { key: 'g', is_empty: false },
          { key: 'missing', is_null: false },
        ],
      },
    });
    expect(notEmpty.body.result).toEqual({ count: 3 });
    expect(await points()).toEqual(before);
    const other = collectionName('aliases');
    await q().put(`/collections/${other}`, { vectors: { size: 3, distance: 'Dot' } });
    expect(
      (await q().put(`/collections/${other}/points`, { points: [{ id: 1, vectors: [1, 2, 3], payload: { a: 1 } }] }))
        .status,
    ).toBe(200);
    expect((await q().post(`/collections/${other}/points`, { ids: [1], with_vector: true })).body.result).toEqual([
      { id: 1, payload: { a: 1 }, vector: [1, 2, 3] },
    ]);
  });

  describe('key paths', () => {
    /** `a.a...` of `levels` levels. */
    const dotted = (levels: number) => Array(levels).fill('a').join('.');
    /** `a[].a[]...` of `levels` levels (each `a` and each `[]` one). */
    const arrays = (levels: number) =>
      Array(levels / 2)
        .fill('a[]')
        .join('.');
    const LEVELS = /levels into the payload.*a key path may reach 16 \(each `\.` part and each `\[\]` is one level\)$/;

    it('takes a key of 16 levels', async () => {
      for (const key of [dotted(16), arrays(16)]) {
        const res = await q().post(`/collections/${name}/points/count`, {
          filter: { must: [{ key, match: { value: 1 } }] },
        });
        expect(res.body.result).toEqual({ count: 0 });
      }
    });

    it.each([
      ['a dotted key of 17 levels', { must: [{ key: dotted(17), match: { value: 1 } }] }, /reaches 17 levels/],
      ['an array path of 18 levels', { must: [{ key: arrays(18), match: { value: 1 } }] }, /reaches 18 levels/],
      ['an array path of 5,000 levels', { must: [{ key: arrays(5000), range: { gte: 0 } }] }, /reaches 5000 levels/],
      [
        'a nested condition whose keys reach 17 levels together',
        { must: [{ nested: { key: dotted(8), filter: { must: [{ key: dotted(8), match: { value: 1 } }] } } }] },
        /reaches 17 levels into the payload with the nested conditions around it/,
      ],
      [
        'an array path inside a nested condition',
        { must: [{ nested: { key: 'items', filter: { must: [{ is_empty: { key: arrays(16) } }] } } }] },
        /reaches 18 levels/,
      ],
    ])('refuses %s in a filter, and deletes nothing', async (_what, filter, words) => {
      const before = await points();
      const res = await q().post(`/collections/${name}/points/delete`, { filter });
      expectQdrantError(res, 400, words);
      expectQdrantError(res, 400, LEVELS);
      expect(await points()).toEqual(before);
    });

    it('refuses such a key wherever a payload key is read', async () => {
      const before = await points();
      const deep = dotted(17);
      const refused: [string, string, unknown][] = [
        ['POST', 'points/payload', { payload: { x: 1 }, points: [1], key: deep }],
        ['POST', 'points/payload/delete', { keys: ['g', deep], points: [1] }],
        ['POST', 'points/scroll', { with_payload: [deep] }],
        ['POST', 'points/scroll', { with_payload: { exclude: [deep] } }],
        ['POST', 'points/scroll', { order_by: deep }],
        ['POST', 'facet', { key: deep }],
        ['POST', 'points/query/groups', { query: [1, 0, 0], group_by: deep }],
        ['PUT', 'index', { field_name: deep, field_schema: 'keyword' }],
      ];
      for (const [method, route, body] of refused)
        expectQdrantError(await http(gw.qdrantUrl, method, `/collections/${name}/${route}`, body), 400, LEVELS);
      expect(await points()).toEqual(before);
      expect((await q().get(`/collections/${name}`)).body.result.payload_schema).toEqual({});
    });
  });

  describe('values Qdrant does not read', () => {
    it('matches nothing with a blank text, phrase or text_any, as Qdrant’s full-text index does', async () => {
      const before = await points();
      for (const match of [{ text: '' }, { phrase: '' }, { text_any: '' }, { text: '  ' }, { phrase: '\t' }]) {
        const filter = { must: [{ key: 'tag', match }] };
        expect((await q().post(`/collections/${name}/points/count`, { filter })).body.result).toEqual({ count: 0 });
        expect((await q().post(`/collections/${name}/points/delete`, { filter })).status).toBe(200);
        // Negated, it keeps every point.
        const all = await q().post(`/collections/${name}/points/count`, {
          filter: { must_not: [{ key: 'tag', match }] },
        });
        expect(all.body.result).toEqual({ count: 3 });
      }
      expect(await points()).toEqual(before);
    });

    it('reads values_count and min_count as Qdrant’s usize, and refuses what is none', async () => {
      const before = await points();
      const refused: [unknown, number, string][] = [
        [
          { must: [{ key: 'g', values_count: { lt: 1e300 } }] },
          400,
          'Format error in JSON body: filter.must[0].values_count.lt: invalid value: 1e+300, expected usize',
        ],
        [
          { must: [{ key: 'g', values_count: { gte: -1 } }] },
          400,
          'Format error in JSON body: filter.must[0].values_count.gte: invalid value: -1, expected usize',
        ],
        [
          { min_should: { conditions: [filter], min_count: 1e20 } },
          400,
          'Format error in JSON body: filter.min_should.min_count: invalid value: 100000000000000000000, expected usize',
        ],
        [
          { min_should: { conditions: [filter], min_count: 0 } },
          422,
          'Validation error in JSON body: [filter.min_should.min_count: min_count must be greater than 0]',
        ],
      ];
      for (const [f, status, words] of refused)
        expectQdrantError(await q().post(`/collections/${name}/points/delete`, { filter: f }), status, exactly(words));
      expect(await points()).toEqual(before);
      // Counts past any array's length are still counts.
      const count = async (f: unknown) =>
        (await q().post(`/collections/${name}/points/count`, { filter: f })).body.result.count;
      expect(await count({ must: [{ key: 'g', values_count: { lt: 1e18 } }] })).toBe(3);
      expect(await count({ must: [{ key: 'g', values_count: { gte: 1e18 } }] })).toBe(0);
      expect(await count({ min_should: { conditions: [filter], min_count: 1e18 } })).toBe(0);
      expect(
        await count({ min_should: { conditions: [filter, { key: 'tag', match: { value: 'x' } }], min_count: 2 } }),
      ).toBe(1);
    });

    it('refuses a datetime bound Qdrant’s parser does not take, and deletes nothing', async () => {
      const before = await points();
      for (const bound of ['1', '2024', 'Feb 1 2024', '2024-02-30', '2024-02-01T00:00Z', '2024-02-01T25:00:00Z']) {
        const res = await q().post(`/collections/${name}/points/delete`, {
          filter: { must: [{ key: 'when', range: { gte: bound } }] },
        });
        expectQdrantError(
          res,
          400,
          exactly(
            `Format error in JSON body: filter.must[0].range.gte: '${bound}' does not match accepted datetime format (RFC3339). Example: 2014-01-01T00:00:00Z`,
          ),
        );
      }
      expect(await points()).toEqual(before);
      // Its forms with and without an offset, and a date alone, are bounds.
      for (const bound of ['2024-02-01T00:00:00Z', '2024-02-01T00:00:00.000+00:00', '2024-02-01T00:00', '2024-02-01']) {
        const res = await q().post(`/collections/${name}/points/count`, {
          filter: { must: [{ key: 'when', range: { gte: bound } }] },
        });
        expect(res.body.result).toEqual({ count: 2 });
      }
    });
  });

  describe('aliases', () => {
    const aliases = async () => (await q().get('/aliases')).body.result.aliases;
    const act = (...actions: unknown[]) => q().post('/collections/aliases', { actions });

    it('checks a new alias’s name as Qdrant checks a collection’s', async () => {
      const kept = collectionName('kept');
      expect((await act({ create_alias: { collection_name: name, alias_name: kept } })).status).toBe(200);
      for (const bad of ['a/b', '<x>', 'a:b', 'x'.repeat(256), 'a\u001fb', 'a\\b'])
        expectQdrantError(
          await act({ create_alias: { collection_name: name, alias_name: bad } }),
          400,
          /^Format error in JSON body: actions\[0\]\.create_alias\.alias_name ".*" must be 1 to 255 characters without/,
        );
      expectQdrantError(
        await act({ rename_alias: { old_alias_name: kept, new_alias_name: '../x' } }),
        400,
        /actions\[0\]\.rename_alias\.new_alias_name "\.\.\/x" must be 1 to 255 characters/,
      );
      expect(await aliases()).toEqual([{ alias_name: kept, collection_name: name }]);
      expect((await act({ delete_alias: { alias_name: kept } })).status).toBe(200);
    });

    it('keeps a name an alias holds from any collection, through every protocol', async () => {
      const taken = collectionName('taken');
      expect((await act({ create_alias: { collection_name: name, alias_name: taken } })).status).toBe(200);
      expectQdrantError(
        await q().put(`/collections/${taken}`, { vectors: { size: 3, distance: 'Dot' } }),
        400,
        exactly(`Wrong input: Can't create collection with name ${taken}. Alias with the same name already exists`),
      );
      // The alias still names the collection it named.
      expect((await q().get(`/collections/${taken}`)).body.result.points_count).toBe(3);
      expect((await q().get(`/collections/${taken}/exists`)).body.result).toEqual({ exists: false });
      // Chroma's create and rename, on the main port, see the name taken too.
      const chroma = '/api/v2/tenants/default_tenant/databases/default_database/collections';
      const created = await http(gw.url, 'POST', chroma, { name: taken });
      expect({ status: created.status, message: created.body.message }).toEqual({
        status: 409,
        message: `Alias [${taken}] already exists`,
      });
      const other = await http(gw.url, 'POST', chroma, { name: collectionName('chroma') });
      expect(other.status).toBe(200);
      expect((await http(gw.url, 'PUT', `${chroma}/${other.body.id}`, { new_name: taken })).status).toBe(409);
      // And an alias is not made over a collection's name.
      expectQdrantError(
        await act({ create_alias: { collection_name: name, alias_name: other.body.name } }),
        409,
        exactly(`Wrong input: Collection \`${other.body.name}\` already exists!`),
      );
      expect(await aliases()).toEqual([{ alias_name: taken, collection_name: name }]);
      expect((await act({ delete_alias: { alias_name: taken } })).status).toBe(200);
    });

    it('takes any other name, __proto__ included, and resolves it', async () => {
      expect((await act({ create_alias: { collection_name: name, alias_name: '__proto__' } })).status).toBe(200);
      expect((await q().get('/collections/__proto__')).body.result.points_count).toBe(3);
      expect((await q().post('/collections/__proto__/points/count', {})).body.result).toEqual({ count: 3 });
      expect(await aliases()).toEqual([{ alias_name: '__proto__', collection_name: name }]);
      expect((await act({ delete_alias: { alias_name: '__proto__' } })).status).toBe(200);
      expect(await aliases()).toEqual([]);
    });
  });

  describe('names that are also Object.prototype’s', () => {
    // Sent as JSON text: in a JavaScript literal `__proto__` would set the prototype, not name a key.
    const json = (text: string) => JSON.parse(text) as Record<string, any>;
    const own = (value: unknown, key: string) =>
      typeof value === 'object' && value !== null && Object.hasOwn(value, key) ? (value as any)[key] : undefined;

    it('stores and shows a named vector `__proto__` (and `constructor`, `toString`) everywhere', async () => {
      const names = collectionName('protos');
      const create = await q().put(
        `/collections/${names}`,
        '{"vectors": {"text": {"size": 2, "distance": "Dot"}, "__proto__": {"size": 3, "distance": "Dot", "on_disk": true}},' +
          ' "sparse_vectors": {"words": {}, "constructor": {"modifier": "idf"}}}',
      );
      expect(create.status).toBe(200);
      expect(
        (await q().put(`/collections/${names}/vectors/toString`, { dense: { size: 2, distance: 'Euclid' } })).status,
      ).toBe(200);
      const config = (await q().get(`/collections/${names}`)).body.result.config;
      expect(Object.keys(config.params.vectors)).toEqual(['text', '__proto__', 'toString']);
      expect(own(config.params.vectors, '__proto__')).toEqual({ size: 3, distance: 'Dot', on_disk: true });
      expect(Object.keys(config.params.sparse_vectors)).toEqual(['words', 'constructor']);
      expect(own(config.params.sparse_vectors, 'constructor')).toEqual({ modifier: 'idf' });

      const point =
        '{"points": [{"id": 1, "vector": {"text": [1, 0], "__proto__": [0, 0, 1], "toString": [1, 1],' +
        ' "constructor": {"indices": [7], "values": [2]}}, "payload": {"__proto__": {"x": 1}, "constructor": 2}}]}';
      expect((await q().put(`/collections/${names}/points?wait=true`, point)).status).toBe(200);
      const [got] = (await q().post(`/collections/${names}/points`, { ids: [1], with_vector: true })).body.result;
      expect(Object.keys(got.vector).sort()).toEqual(['__proto__', 'constructor', 'text', 'toString']);
      expect(own(got.vector, '__proto__')).toEqual([0, 0, 1]);
      expect(own(got.vector, 'constructor')).toEqual({ indices: [7], values: [2] });
      expect(own(got.payload, '__proto__')).toEqual({ x: 1 });
      const only = (
        await q().post(`/collections/${names}/points`, {
          ids: [1],
          with_vector: ['__proto__'],
          with_payload: ['__proto__'],
        })
      ).body.result[0];
      expect(Object.keys(only.vector)).toEqual(['__proto__']);
      expect(Object.keys(only.payload)).toEqual(['__proto__']);
      const found = await q().post(`/collections/${names}/points/query`, { query: [0, 0, 1], using: '__proto__' });
      expect(found.body.result.points).toEqual([{ id: 1, version: 0, score: 1 }]);
      // A name the collection does not have is not found on Object.prototype either.
      expectQdrantError(
        await q().post(`/collections/${names}/points/query`, { query: [1, 0], using: 'hasOwnProperty' }),
        400,
        /Not existing vector name error: hasOwnProperty/,
      );

      expect(
        (await q().patch(`/collections/${names}`, json('{"vectors": {"__proto__": {"on_disk": false}}}'))).status,
      ).toBe(200);
      const patched = (await q().get(`/collections/${names}`)).body.result.config.params.vectors;
      expect(own(patched, '__proto__')).toEqual({ size: 3, distance: 'Dot', on_disk: false });

      // The snapshot file holds them, and makes the same collection again.
      const snapshot = (await q().post(`/collections/${names}/snapshots`)).body.result.name;
      const file = await (await fetch(`${gw.qdrantUrl}/collections/${names}/snapshots/${snapshot}`)).text();
      const [header, line] = file.trim().split('\n').map(json);
      expect(Object.keys(header.config.vectors)).toEqual(['text', '__proto__', 'toString']);
      expect(Object.keys(line.vector).sort()).toEqual(['__proto__', 'constructor', 'text', 'toString']);
      expect((await q().put(`/collections/${names}/snapshots/recover`, { location: snapshot })).status).toBe(200);
      const [again] = (await q().post(`/collections/${names}/points`, { ids: [1], with_vector: true })).body.result;
      expect(again).toEqual(got);
    });
  });

  it('refuses a field Qdrant does not know in a collection’s settings, and ignores one at the top as Qdrant does', async () => {
    const fresh = collectionName('fresh');
    const bad: [unknown, string][] = [
      [{ vectors: { size: 3, distance: 'Dot', on_dsk: true } }, 'unknown field `on_dsk` in vectors,'],
      [
        { vectors: { a: { size: 3, distance: 'Dot' }, b: { size: 2, distance: 'Dot', hnsw: {} } } },
        '`hnsw` in vectors\\.b,',
      ],
      [{ vectors: { size: 3, distance: 'Dot' }, hnsw_config: { mm: 8 } }, '`mm` in hnsw_config,'],
      [
        { vectors: { size: 3, distance: 'Dot' }, quantization_config: { scalar: { type: 'int8', quantil: 0.9 } } },
        '`quantil` in quantization_config\\.scalar,',
      ],
      [
        { vectors: { size: 3, distance: 'Dot' }, strict_mode_config: { enabled: true, max_limit: 1 } },
        '`max_limit` in strict_mode_config,',
      ],
      [{ sparse_vectors: { s: { modifer: 'idf' } } }, '`modifer` in sparse_vectors\\.s,'],
      [{ sparse_vectors: { s: { index: { on_dsk: true } } } }, '`on_dsk` in sparse_vectors\\.s\\.index,'],
    ];
    for (const [body, words] of bad)
      expectQdrantError(await q().put(`/collections/${fresh}`, body), 400, new RegExp(words));
    expect((await q().get(`/collections/${fresh}/exists`)).body.result).toEqual({ exists: false });
    // At the top of a create body, as Qdrant does: ignored, and not kept.
    const loose = collectionName('loose');
    const created = await q().put(`/collections/${loose}`, {
      vectors: { size: 3, distance: 'Dot' },
      quantisation: { scalar: { type: 'int8' } },
      optimiser_config: { indexing_threshold: 7 },
    });
    expect(created.status).toBe(200);
    const shown = JSON.stringify((await q().get(`/collections/${loose}`)).body.result);
    // (The answer's own `optimizer_config` holds the defaults: the misspelt section set nothing.)
    expect([shown.includes('"quantisation"'), shown.includes('"indexing_threshold":7')]).toEqual([false, false]);
    // Serde's aliases (Qdrant's own tests send `quantization`) are their fields, kept; both names at once are refused.
    const aliased = collectionName('aliased');
    await q().put(`/collections/${aliased}`, {
      vectors: { size: 3, distance: 'Dot' },
      quantization: { scalar: { type: 'int8' } },
      optimizer_config: { indexing_threshold_kb: 7 },
    });
    expect((await q().get(`/collections/${aliased}`)).body.result.config).toMatchObject({
      quantization_config: { scalar: { type: 'int8' } },
      optimizer_config: { indexing_threshold: 7 },
    });
    expectQdrantError(
      await q().put(`/collections/${collectionName('both')}`, {
        vectors: { size: 3, distance: 'Dot' },
        quantization: { scalar: { type: 'int8' } },
        quantization_config: { scalar: { type: 'int8' } },
      }),
      400,
      /duplicate field `quantization_config`/,
    );

    const config = (await q().get(`/collections/${name}`)).body.result.config;
    const updates: [unknown, string][] = [
      [{ hnsw_config: { m: 8, ef: 10 } }, '`ef` in hnsw_config,'],
      [{ vectors: { '': { hnsw_config: { m: 8 }, size: 4 } } }, '`size` in vectors\\.,'],
      [{ optimizers_config: { indexing_threshold: 1, vacuum: 1 } }, '`vacuum` in optimizers_config,'],
      [{ params: { on_disk_payload: false, shards: 2 } }, '`shards` in params,'],
    ];
    for (const [body, words] of updates)
      expectQdrantError(await q().patch(`/collections/${name}`, body), 400, new RegExp(words));
    expect((await q().get(`/collections/${name}`)).body.result.config).toEqual(config);
    // At the top of an update body, as Qdrant does: a field it does not know is ignored, and not kept.
    expect((await q().patch(`/collections/${name}`, { wal_config: { wal_capacity_mb: 1 } })).status).toBe(200);
    expect((await q().get(`/collections/${name}`)).body.result.config).toEqual(config);

    expectQdrantError(
      await q().put(`/collections/${name}/index`, { field_name: 'g', field_schema: { type: 'integer', rnage: true } }),
      400,
      /unknown field `rnage` in field_schema, expected one of `type`, `lookup`, `range`/,
    );
    expectQdrantError(
      await q().put(`/collections/${name}/index`, { field_name: 'g', field_schema: 'integer', wait: true }),
      400,
      /unknown field `wait` in the body, expected `field_name` or `field_schema`$/,
    );
    expect((await q().get(`/collections/${name}`)).body.result.payload_schema).toEqual({});

    const alias = collectionName('alias');
    expectQdrantError(
      await q().post('/collections/aliases', {
        actions: [{ create_alias: { collection_name: name, alias_name: alias, replace: true } }],
      }),
      400,
      /unknown field `replace` in actions\[0\]\.create_alias, expected `collection_name` or `alias_name`$/,
    );
    expectQdrantError(
      await q().post('/collections/aliases', {
        actions: [{ create_alias: { collection_name: name, alias_name: alias }, delete_alias: { alias_name: alias } }],
      }),
      400,
      /one of create_alias, delete_alias or rename_alias/,
    );
    expect((await q().get('/aliases')).body.result.aliases).toEqual([]);
    expectQdrantError(
      await q().put(`/collections/${name}/snapshots/recover`, { location: 'x.snapshot', checksumm: 'abc' }),
      400,
      /unknown field `checksumm` in the body, expected one of `location`, `priority`, `checksum`, `api_key`, `wait`$/,
    );
  });
});
