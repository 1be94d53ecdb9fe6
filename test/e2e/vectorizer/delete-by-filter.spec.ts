import { gatewayForFile } from '../../support/gateway';
import {
  collectionName,
  expectVectorizerError,
  vectorizer,
  type Vectorizer,
  type VectorIn,
} from './vectorizer-helpers';

/**
 * delete_by_filter at both paths: `/collections/{c}/delete_by_filter` (the seed, the docs) and
 * `/collections/{c}/vectors/delete_by_filter` (the server's route), over every filter shape users
 * send — the docs' flat Mongo style, the server's tagged conditions, the SDK's Qdrant shape — each
 * checked by exactly which vectors it deletes and by the {scanned, matched, deleted, results} report.
 */
const DOCS: VectorIn[] = [
  {
    id: 'd1',
    embedding: [1, 0],
    payload: {
      category: 'old_docs',
      created_at: '2024-01-15T10:00:00Z',
      year: 2023,
      price: 5,
      title: 'Intro to vectors',
      tags: ['a', 'b'],
      active: true,
      meta: { source: 'web' },
    },
  },
  {
    id: 'd2',
    embedding: [0, 1],
    payload: {
      category: 'old_docs',
      created_at: '2024-05-31T23:59:59Z',
      year: 2024,
      price: 10,
      title: 'Advanced search',
      tags: ['b'],
      active: false,
    },
  },
  {
    id: 'd3',
    embedding: [1, 1],
    payload: {
      category: 'new_docs',
      created_at: '2024-06-01T00:00:00Z',
      year: 2024,
      price: 15.5,
      title: 'Intro to filters',
      tags: ['c'],
      active: true,
    },
  },
  {
    id: 'd4',
    embedding: [2, 1],
    payload: {
      category: 'new_docs',
      created_at: '2025-02-10T08:30:00Z',
      year: 2025,
      price: 20,
      title: 'The end',
      active: false,
      meta: { source: 'api' },
    },
  },
  {
    id: 'd5',
    embedding: [1, 2],
    payload: { category: 'archive', created_at: '2023-12-31T12:00:00Z', year: '2023', title: 'Appendix: intro' },
  },
  // Inserted through /insert_vectors without a payload: the server stores `{}` for it, so it is a
  // vector with a payload lacking every key (it matches must_not-only filters on both).
  { id: 'd6', embedding: [3, 3] },
];
const ALL_IDS = DOCS.map((d) => d.id as string);

const match = (key: string, match_value: unknown) => ({ type: 'match', key, match_value });

const SHAPES: [string, unknown, string[]][] = [
  // The documentation's flat Mongo style.
  ['flat: the seed’s {"category":"old_docs"}', { category: 'old_docs' }, ['d1', 'd2']],
  [
    'flat: $lt on an ISO date string (the seed’s cleanup pattern)',
    { created_at: { $lt: '2024-06-01T00:00:00Z' } },
    ['d1', 'd2', 'd5'],
  ],
  [
    'flat: $gte and $lt on ISO dates',
    { created_at: { $gte: '2024-06-01T00:00:00Z', $lt: '2025-01-01T00:00:00Z' } },
    ['d3'],
  ],
  ['flat: a number (a string "2023" is not 2023)', { year: 2023 }, ['d1']],
  ['flat: $gt on numbers (strings never compare with numbers)', { year: { $gt: 2023 } }, ['d2', 'd3', 'd4']],
  ['flat: $lte on a float', { price: { $lte: 15.5 } }, ['d1', 'd2', 'd3']],
  ['flat: a boolean', { active: true }, ['d1', 'd3']],
  ['flat: two keys, ANDed', { category: 'old_docs', active: false }, ['d2']],
  ['flat: $in', { category: { $in: ['archive', 'new_docs'] } }, ['d3', 'd4', 'd5']],
  ['flat: $nin (a vector without the key matches)', { category: { $nin: ['old_docs', 'new_docs'] } }, ['d5', 'd6']],
  ['flat: $ne (a vector without the key matches)', { category: { $ne: 'old_docs' } }, ['d3', 'd4', 'd5', 'd6']],
  ['flat: $exists', { meta: { $exists: true } }, ['d1', 'd4']],
  ['flat: $or', { $or: [{ category: 'archive' }, { price: { $gte: 20 } }] }, ['d4', 'd5']],
  ['flat: $and', { $and: [{ category: 'new_docs' }, { price: { $lt: 20 } }] }, ['d3']],
  ['flat: a value inside a list payload', { tags: 'b' }, ['d1', 'd2']],

  // The server's tagged conditions.
  ['tagged: match on a string', { must: [match('category', 'old_docs')] }, ['d1', 'd2']],
  ['tagged: match on an integer', { must: [match('year', 2024)] }, ['d2', 'd3']],
  ['tagged: match on a boolean', { must: [match('active', false)] }, ['d2', 'd4']],
  ['tagged: match_value null ("Any": the key is present)', { must: [match('meta', null)] }, ['d1', 'd4']],
  ['tagged: a range with gte', { must: [{ type: 'range', key: 'price', range: { gte: 10 } }] }, ['d2', 'd3', 'd4']],
  [
    'tagged: a range with gt and lt',
    { must: [{ type: 'range', key: 'price', range: { gt: 5, lt: 20 } }] },
    ['d2', 'd3'],
  ],
  ['tagged: a prefix text match', { must: [match('title', { text: 'Intro', type: 'prefix' })] }, ['d1', 'd3']],
  ['tagged: a suffix text match', { must: [match('title', { text: 'end', type: 'suffix' })] }, ['d4']],
  [
    'tagged: a contains text match (case-sensitive)',
    { must: [match('title', { text: 'ntro', type: 'contains' })] },
    ['d1', 'd3', 'd5'],
  ],
  ['tagged: an exact text match', { must: [match('title', { text: 'The end', type: 'exact' })] }, ['d4']],
  [
    'tagged: must with two conditions',
    { must: [match('category', 'new_docs'), { type: 'range', key: 'year', range: { gte: 2025 } }] },
    ['d4'],
  ],
  ['tagged: must_not alone', { must_not: [match('category', 'old_docs')] }, ['d3', 'd4', 'd5', 'd6']],
  ['tagged: should', { should: [match('category', 'archive'), match('year', 2025)] }, ['d4', 'd5']],
  [
    'tagged: must, should and must_not together',
    {
      must: [match('category', 'new_docs')],
      should: [match('active', true), match('active', false)],
      must_not: [match('active', true)],
    },
    ['d4'],
  ],
  [
    'tagged: nested',
    {
      must: [
        {
          type: 'nested',
          filter: { should: [match('category', 'archive'), { type: 'range', key: 'price', range: { gte: 20 } }] },
        },
      ],
    },
    ['d4', 'd5'],
  ],

  // The TypeScript SDK's Qdrant shape (its filter builder).
  ['SDK: match.value (filter.eq)', { must: [{ key: 'category', match: { value: 'old_docs' } }] }, ['d1', 'd2']],
  [
    'SDK: match.any (filter.in)',
    { must: [{ key: 'category', match: { any: ['archive', 'new_docs'] } }] },
    ['d3', 'd4', 'd5'],
  ],
  [
    'SDK: match.except',
    {
      must: [
        { key: 'year', range: { gte: 2024 } },
        { key: 'category', match: { except: ['old_docs'] } },
      ],
    },
    ['d3', 'd4'],
  ],
  [
    'SDK: range with gte and lte (filter.range)',
    { must: [{ key: 'price', range: { gte: 5, lte: 15.5 } }] },
    ['d1', 'd2', 'd3'],
  ],
  [
    'SDK: must_not (filter.mustNot)',
    {
      must: [{ key: 'category', match: { any: ['old_docs', 'new_docs'] } }],
      must_not: [{ key: 'active', match: { value: true } }],
    },
    ['d2', 'd4'],
  ],
  [
    'SDK: should (filter.should)',
    {
      should: [
        { key: 'category', match: { value: 'archive' } },
        { key: 'price', range: { gte: 20 } },
      ],
    },
    ['d4', 'd5'],
  ],
  [
    'SDK: filter.nested ({"key":"__nested__","filter":..})',
    {
      must: [
        {
          key: '__nested__',
          filter: {
            should: [
              { key: 'year', match: { value: 2023 } },
              { key: 'year', match: { value: 2025 } },
            ],
          },
        },
      ],
    },
    ['d1', 'd4'],
  ],
  ['SDK: has_id', { must: [{ has_id: ['d1', 'd5', 'nope'] }] }, ['d1', 'd5']],
  ['SDK: is_empty', { must: [{ is_empty: { key: 'meta' } }] }, ['d2', 'd3', 'd5', 'd6']],
];

const PATHS = [
  ['/collections/{c}/delete_by_filter (the seed’s path)', (c: string) => `/collections/${c}/delete_by_filter`],
  [
    '/collections/{c}/vectors/delete_by_filter (the server’s path)',
    (c: string) => `/collections/${c}/vectors/delete_by_filter`,
  ],
] as const;

const CASES = PATHS.flatMap(([pathName, path]) =>
  SHAPES.map(([shape, filter, deleted]) => [pathName, shape, path, filter, deleted] as const),
);

describe('Vectorizer delete_by_filter over HTTP', () => {
  const gw = gatewayForFile();
  let vz: Vectorizer;

  beforeAll(async () => {
    vz = vectorizer(gw);
  });

  async function seeded(): Promise<string> {
    const name = collectionName('dbf');
    await vz.create(name, 2, 'cosine');
    await vz.insert(name, DOCS);
    return name;
  }

  it.each(CASES)('%s deletes exactly what %s selects', async (_, __, path, filter, deleted) => {
    const name = await seeded();
    const res = await vz.post(path(name), { filter });
    expect(res.status).toBe(200);
    expect({
      ...res.body,
      results: [...res.body.results].sort((a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id)),
    }).toEqual({
      scanned: DOCS.length,
      matched: deleted.length,
      deleted: deleted.length,
      results: deleted.map((id) => ({ id, status: 'deleted' })),
    });
    expect(await vz.ids(name)).toEqual(ALL_IDS.filter((id) => !deleted.includes(id)));
    expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(DOCS.length - deleted.length);
  });

  describe.each(PATHS)('%s', (_, path) => {
    it('answers a filter that matches nothing with zero counts and an empty results list', async () => {
      const name = await seeded();
      const res = await vz.post(path(name), { filter: { category: 'nothing_like_this' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ scanned: 6, matched: 0, deleted: 0, results: [] });
      expect(await vz.ids(name)).toEqual(ALL_IDS);
    });

    it.each<[string, unknown]>([
      ['an empty filter {}', { filter: {} }],
      ['a missing filter field', {}],
      ['a null filter', { filter: null }],
      ['must/should/must_not with no conditions', { filter: { must: [], should: [], must_not: [] } }],
    ])('refuses %s with 400 validation_error and deletes nothing', async (__, body) => {
      const name = await seeded();
      const res = await vz.post(path(name), body);
      expectVectorizerError(res, 400, 'validation_error', /^Invalid filter: /);
      expect(res.body.details).toMatchObject({ field: 'filter' });
      expect(await vz.ids(name)).toEqual(ALL_IDS);
    });

    it.each<[string, unknown]>([
      [
        'a geo condition the gateway does not support',
        { must: [{ type: 'geo_radius', key: 'loc', geo_radius: { center: { lat: 0, lon: 0 }, radius: 10 } }] },
      ],
      ['an unknown condition type', { must: [{ type: 'fuzzy', key: 'title', value: 'x' }] }],
      ['a condition with neither type, match nor range', { must: [{ key: 'category' }] }],
      ['a flat value that is a list', { category: ['old_docs', 'new_docs'] }],
      ['an unknown Mongo operator', { title: { $regex: '^Intro' } }],
      ['a string', 'category = old_docs'],
      ['an array', [{ category: 'old_docs' }]],
    ])('refuses %s with 400 parse_error and deletes nothing', async (__, filter) => {
      const name = await seeded();
      const res = await vz.post(path(name), { filter });
      expectVectorizerError(res, 400, 'parse_error', /^Failed to parse filter: /);
      expect(res.body.details).toMatchObject({ field: 'filter' });
      expect(await vz.ids(name)).toEqual(ALL_IDS);
    });

    it('answers an unknown collection with 404 collection_not_found', async () => {
      expectVectorizerError(
        await vz.post(path('no_such_collection'), { filter: { category: 'old_docs' } }),
        404,
        'collection_not_found',
        'Collection not found: no_such_collection',
      );
    });

    it('deletes in one call every vector a wide filter selects, and a second call finds none', async () => {
      const name = collectionName('dbf-wide');
      await vz.create(name, 2);
      await vz.insert(
        name,
        Array.from({ length: 300 }, (_, i) => ({ id: `w${i}`, embedding: [1, i], payload: { bucket: i % 3 } })),
      );
      const first = await vz.post(path(name), { filter: { must: [{ type: 'match', key: 'bucket', match_value: 0 }] } });
      expect(first.body).toMatchObject({ scanned: 300, matched: 100, deleted: 100 });
      expect(first.body.results).toHaveLength(100);
      const second = await vz.post(path(name), { filter: { bucket: 0 } });
      expect(second.body).toMatchObject({ scanned: 200, matched: 0, deleted: 0 });
      expect((await vz.get(`/collections/${name}`)).body.vector_count).toBe(200);
    });
  });

  // The server resolves a condition's key as a dot-path through nested payload objects
  // (filter_processor.rs L226-241; docs/vectorizer-wire-contract.md §5.1).
  it.each(PATHS)('%s follows a dot-path key into a nested payload object', async (_, path) => {
    const name = await seeded();
    const res = await vz.post(path(name), { filter: { must: [match('meta.source', 'web')] } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: 1, deleted: 1, results: [{ id: 'd1', status: 'deleted' }] });
    expect(await vz.ids(name)).toEqual(ALL_IDS.filter((id) => id !== 'd1'));
  });
});
