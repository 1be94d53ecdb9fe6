import type { FilterNode } from '../../../src/core/filters/filter-ast';
import { parseDeleteFilter, parseVectorizerFilter } from '../../../src/protocols/vectorizer/vectorizer-filter.parser';
import { VectorizerHttpError } from '../../../src/protocols/vectorizer/vectorizer-error';

/**
 * Vectorizer's three filter dialects (the docs' flat Mongo style, the server's tagged conditions,
 * the TypeScript SDK's Qdrant shape) parsed into the neutral AST, node for node, and every refusal
 * with its status, error_type and field.
 */

/** A scalar matches a value equal to it, or an array payload holding it. */
/** A value among `values`, or a list holding one of them. */
const anyOf = (key: string, values: (string | number | boolean)[]): FilterNode => ({
  kind: 'anyOf',
  key,
  values,
  inArrays: true,
});
const is = (key: string, value: string | number | boolean): FilterNode => ({
  kind: 'or',
  children: [
    { kind: 'eq', key, value },
    { kind: 'arrayContains', key, value },
  ],
});
const and = (...children: FilterNode[]): FilterNode => ({ kind: 'and', children });
const or = (...children: FilterNode[]): FilterNode => ({ kind: 'or', children });
const not = (child: FilterNode): FilterNode => ({ kind: 'not', child });
const range = (key: string, operator: '<' | '<=' | '>' | '>=', value: number | string): FilterNode => ({
  kind: 'range',
  key,
  operator,
  value,
});
const exists = (key: string): FilterNode => ({ kind: 'exists', key });

function refusal(filter: unknown, parse: (f: unknown) => FilterNode = parseVectorizerFilter): VectorizerHttpError {
  try {
    parse(filter);
  } catch (err) {
    expect(err).toBeInstanceOf(VectorizerHttpError);
    return err as VectorizerHttpError;
  }
  throw new Error(`the filter ${JSON.stringify(filter)} was accepted`);
}

describe('parseVectorizerFilter', () => {
  describe('the documentation’s flat Mongo-style filter', () => {
    it.each<[string, unknown, FilterNode]>([
      ['the seed’s {"category":"old_docs"}', { category: 'old_docs' }, is('category', 'old_docs')],
      ['a number', { year: 2024 }, is('year', 2024)],
      ['a float', { price: 9.5 }, is('price', 9.5)],
      ['a boolean', { active: false }, is('active', false)],
      ['two keys, ANDed', { category: 'a', year: 1 }, and(is('category', 'a'), is('year', 1))],
      ['$eq', { category: { $eq: 'a' } }, is('category', 'a')],
      ['$ne', { category: { $ne: 'a' } }, not(is('category', 'a'))],
      [
        '$lt on an ISO date string (the seed’s cleanup pattern)',
        { created_at: { $lt: '2024-06-01T00:00:00Z' } },
        range('created_at', '<', '2024-06-01T00:00:00Z'),
      ],
      ['$lte', { n: { $lte: 3 } }, range('n', '<=', 3)],
      ['$gt', { n: { $gt: 3 } }, range('n', '>', 3)],
      ['$gte', { n: { $gte: 3 } }, range('n', '>=', 3)],
      ['two bounds on one key', { n: { $gte: 1, $lt: 5 } }, and(range('n', '>=', 1), range('n', '<', 5))],
      ['$in', { tag: { $in: ['a', 'b'] } }, anyOf('tag', ['a', 'b'])],
      ['$in of one value', { tag: { $in: ['a'] } }, anyOf('tag', ['a'])],
      ['$nin', { tag: { $nin: ['a', 'b'] } }, not(anyOf('tag', ['a', 'b']))],
      ['$exists true', { tag: { $exists: true } }, exists('tag')],
      ['$exists false', { tag: { $exists: false } }, not(exists('tag'))],
      ['$and', { $and: [{ a: 1 }, { b: { $gt: 2 } }] }, and(is('a', 1), range('b', '>', 2))],
      ['$or', { $or: [{ a: 1 }, { b: 'x' }] }, or(is('a', 1), is('b', 'x'))],
      ['$or next to a field', { $or: [{ a: 1 }, { a: 2 }], c: true }, and(or(is('a', 1), is('a', 2)), is('c', true))],
    ])('parses %s', (_, filter, expected) => {
      expect(parseVectorizerFilter(filter)).toEqual(expected);
    });
  });

  describe('the server’s tagged conditions', () => {
    it.each<[string, unknown, FilterNode]>([
      ['match on a string', { must: [{ type: 'match', key: 'tag', match_value: 'drop' }] }, is('tag', 'drop')],
      ['match on an integer', { must: [{ type: 'match', key: 'year', match_value: 2024 }] }, is('year', 2024)],
      ['match on a boolean', { must: [{ type: 'match', key: 'active', match_value: true }] }, is('active', true)],
      [
        'match_value null (the server’s "Any": the key is present)',
        { must: [{ type: 'match', key: 'k', match_value: null }] },
        exists('k'),
      ],
      [
        'a prefix text match',
        { must: [{ type: 'match', key: 'title', match_value: { text: 'Intro', type: 'prefix' } }] },
        { kind: 'textMatch', key: 'title', mode: 'prefix', text: 'Intro' },
      ],
      [
        'a suffix text match',
        { must: [{ type: 'match', key: 'title', match_value: { text: 'end', type: 'suffix' } }] },
        { kind: 'textMatch', key: 'title', mode: 'suffix', text: 'end' },
      ],
      [
        'a contains text match',
        { must: [{ type: 'match', key: 'title', match_value: { text: 'mid', type: 'contains' } }] },
        { kind: 'textMatch', key: 'title', mode: 'contains', text: 'mid' },
      ],
      [
        'an exact text match',
        { must: [{ type: 'match', key: 'title', match_value: { text: 'All', type: 'exact' } }] },
        { kind: 'textMatch', key: 'title', mode: 'exact', text: 'All' },
      ],
      [
        'a text match with no type (exact)',
        { must: [{ type: 'match', key: 'title', match_value: { text: 'All' } }] },
        { kind: 'textMatch', key: 'title', mode: 'exact', text: 'All' },
      ],
      [
        'a range with one bound',
        { must: [{ type: 'range', key: 'price', range: { gte: 10 } }] },
        range('price', '>=', 10),
      ],
      [
        'a range with every bound',
        { must: [{ type: 'range', key: 'p', range: { gt: 1, gte: 2, lt: 9, lte: 8 } }] },
        and(range('p', '>', 1), range('p', '>=', 2), range('p', '<', 9), range('p', '<=', 8)),
      ],
      [
        'a range whose unused bounds are null',
        { must: [{ type: 'range', key: 'p', range: { gt: null, lt: 5 } }] },
        range('p', '<', 5),
      ],
      [
        'must with two conditions',
        {
          must: [
            { type: 'match', key: 'a', match_value: 'x' },
            { type: 'range', key: 'n', range: { lt: 3 } },
          ],
        },
        and(is('a', 'x'), range('n', '<', 3)),
      ],
      ['must_not', { must_not: [{ type: 'match', key: 'a', match_value: 'x' }] }, not(is('a', 'x'))],
      [
        'must_not with two conditions (none may hold)',
        {
          must_not: [
            { type: 'match', key: 'a', match_value: 'x' },
            { type: 'match', key: 'b', match_value: 1 },
          ],
        },
        and(not(is('a', 'x')), not(is('b', 1))),
      ],
      [
        'should (any)',
        {
          should: [
            { type: 'match', key: 'a', match_value: 'x' },
            { type: 'match', key: 'a', match_value: 'y' },
          ],
        },
        or(is('a', 'x'), is('a', 'y')),
      ],
      [
        'must, should and must_not together',
        {
          must: [{ type: 'match', key: 'a', match_value: 'x' }],
          should: [
            { type: 'match', key: 'b', match_value: 1 },
            { type: 'match', key: 'b', match_value: 2 },
          ],
          must_not: [{ type: 'match', key: 'c', match_value: true }],
        },
        and(is('a', 'x'), or(is('b', 1), is('b', 2)), not(is('c', true))),
      ],
      [
        'empty sibling lists next to a non-empty one',
        { must: [{ type: 'match', key: 'a', match_value: 'x' }], should: [], must_not: null },
        is('a', 'x'),
      ],
      [
        'nested',
        {
          must: [
            {
              type: 'nested',
              filter: {
                should: [
                  { type: 'match', key: 'a', match_value: 'x' },
                  { type: 'range', key: 'n', range: { gt: 5 } },
                ],
              },
            },
            { type: 'match', key: 'b', match_value: 'y' },
          ],
        },
        and(or(is('a', 'x'), range('n', '>', 5)), is('b', 'y')),
      ],
      [
        'nested inside must_not',
        { must_not: [{ type: 'nested', filter: { must: [{ type: 'match', key: 'a', match_value: 'x' }] } }] },
        not(is('a', 'x')),
      ],
    ])('parses %s', (_, filter, expected) => {
      expect(parseVectorizerFilter(filter)).toEqual(expected);
    });
  });

  describe('the TypeScript SDK’s Qdrant shape', () => {
    it.each<[string, unknown, FilterNode]>([
      ['filter.eq: match.value', { must: [{ key: 'tag', match: { value: 'a' } }] }, is('tag', 'a')],
      ['match.value on a number', { must: [{ key: 'n', match: { value: 3 } }] }, is('n', 3)],
      ['filter.in: match.any', { must: [{ key: 'tag', match: { any: ['a', 'b'] } }] }, anyOf('tag', ['a', 'b'])],
      ['match.except', { must: [{ key: 'tag', match: { except: ['a', 'b'] } }] }, not(anyOf('tag', ['a', 'b']))],
      [
        'match.text (contains)',
        { must: [{ key: 'title', match: { text: 'mid' } }] },
        { kind: 'textMatch', key: 'title', mode: 'contains', text: 'mid' },
      ],
      [
        'filter.range',
        { must: [{ key: 'n', range: { gte: 1, lte: 5 } }] },
        and(range('n', '>=', 1), range('n', '<=', 5)),
      ],
      ['has_id', { must: [{ has_id: ['a', 7] }] }, { kind: 'idIn', ids: ['a', '7'] }],
      ['is_empty', { must: [{ is_empty: { key: 'tag' } }] }, not(exists('tag'))],
      [
        'filter.nested: {"key":"__nested__","filter":..}',
        {
          must: [
            {
              key: '__nested__',
              filter: {
                should: [
                  { key: 'a', match: { value: 1 } },
                  { key: 'a', match: { value: 2 } },
                ],
              },
            },
          ],
        },
        or(is('a', 1), is('a', 2)),
      ],
      ['filter.mustNot', { must_not: [{ key: 'tag', match: { value: 'a' } }] }, not(is('tag', 'a'))],
      [
        'filter.should',
        {
          should: [
            { key: 'tag', match: { value: 'a' } },
            { key: 'n', range: { gte: 2 } },
          ],
        },
        or(is('tag', 'a'), range('n', '>=', 2)),
      ],
      [
        'a mix of SDK and tagged conditions in one filter',
        {
          must: [
            { key: 'tag', match: { value: 'a' } },
            { type: 'range', key: 'n', range: { lt: 4 } },
          ],
        },
        and(is('tag', 'a'), range('n', '<', 4)),
      ],
    ])('parses %s', (_, filter, expected) => {
      expect(parseVectorizerFilter(filter)).toEqual(expected);
    });
  });

  describe('refusals', () => {
    it.each<[string, unknown]>([
      ['an absent filter', undefined],
      ['a null filter', null],
      ['an empty object, which would match every vector', {}],
      ['empty must/should/must_not lists', { must: [], should: [], must_not: [] }],
      ['must: null alone', { must: null }],
    ])(
      'refuses %s as a delete filter with 400 validation_error on the field "filter", and reads it as no filter',
      (_, filter) => {
        expect(parseVectorizerFilter(filter)).toEqual({ kind: 'all' });
        const err = refusal(filter, parseDeleteFilter);
        expect(err.status).toBe(400);
        expect(err.errorType).toBe('validation_error');
        expect(err.details).toMatchObject({ field: 'filter' });
        expect(err.message).toMatch(/^Invalid filter: /);
      },
    );

    it.each<[string, unknown]>([
      ['a string', 'category = old_docs'],
      ['an array', [{ category: 'old_docs' }]],
      ['a number', 42],
      ['must that is not an array', { must: { type: 'match', key: 'a', match_value: 'x' } }],
      ['a condition that is not an object', { must: ['a'] }],
      [
        'an unknown tagged type (geo_radius)',
        { must: [{ type: 'geo_radius', key: 'loc', geo_radius: { center: { lat: 0, lon: 0 }, radius: 5 } }] },
      ],
      [
        'an unknown tagged type (values_count)',
        { must: [{ type: 'values_count', key: 'tags', values_count: { gte: 1 } }] },
      ],
      ['a tagged match without a key', { must: [{ type: 'match', match_value: 'x' }] }],
      ['a tagged match with an empty key', { must: [{ type: 'match', key: '', match_value: 'x' }] }],
      ['a tagged match on a list', { must: [{ type: 'match', key: 'a', match_value: ['x', 'y'] }] }],
      [
        'a tagged match on an object without text',
        { must: [{ type: 'match', key: 'a', match_value: { value: 'x' } }] },
      ],
      [
        'a text match of unknown type',
        { must: [{ type: 'match', key: 'a', match_value: { text: 'x', type: 'regex' } }] },
      ],
      ['a range that is not an object', { must: [{ type: 'range', key: 'n', range: 5 }] }],
      ['a range with no bound', { must: [{ type: 'range', key: 'n', range: {} }] }],
      ['a range with an unknown bound', { must: [{ type: 'range', key: 'n', range: { between: [1, 2] } }] }],
      ['a range with a boolean bound', { must: [{ type: 'range', key: 'n', range: { gte: true } }] }],
      ['a tagged nested without a filter', { must: [{ type: 'nested' }] }],
      ['a nested filter with no conditions', { must: [{ type: 'nested', filter: { must: 'x' } }] }],
      ['an SDK condition with neither match nor range', { must: [{ key: 'a' }] }],
      ['an SDK condition without a key', { must: [{ match: { value: 'x' } }] }],
      ['an SDK match with none of value/any/except/text', { must: [{ key: 'a', match: { values: ['x'] } }] }],
      ['an SDK match.any that is empty', { must: [{ key: 'a', match: { any: [] } }] }],
      ['an SDK match.any holding an object', { must: [{ key: 'a', match: { any: [{ x: 1 }] } }] }],
      ['an SDK match.value that is null', { must: [{ key: 'a', match: { value: null } }] }],
      ['has_id that is not a list', { must: [{ has_id: 'a' }] }],
      ['a flat value that is a list', { category: ['a', 'b'] }],
      ['a flat value that is null', { category: null }],
      ['a flat value that is an empty object', { category: {} }],
      ['an unknown Mongo operator', { title: { $regex: '^a' } }],
      ['an unknown top-level operator', { $not: { a: 1 } }],
      ['$in with an empty list', { tag: { $in: [] } }],
      ['$in with a non-list', { tag: { $in: 'a' } }],
      ['$exists with a non-boolean', { tag: { $exists: 1 } }],
      ['$lt with a boolean', { n: { $lt: true } }],
      ['$and with an empty list', { $and: [] }],
      ['$or holding a non-object', { $or: ['a'] }],
    ])('refuses %s with 400 parse_error on the field "filter"', (_, filter) => {
      const err = refusal(filter);
      expect(err.status).toBe(400);
      expect(err.errorType).toBe('parse_error');
      expect(err.details).toMatchObject({ field: 'filter' });
      expect(err.message).toMatch(/^Failed to parse filter: /);
    });
  });
});
