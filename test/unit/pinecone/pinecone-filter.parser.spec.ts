import type { FilterNode, MetadataKey } from '../../../src/core/filters/filter-ast';
import { isEmptyFilter, parsePineconeFilter } from '../../../src/protocols/pinecone/pinecone-filter.parser';
import { PineconeDataError } from '../../../src/protocols/pinecone/pinecone-error';

/**
 * Pinecone's filter dialect, judged by what the parsed filter selects rather than by the exact
 * shape of the tree: a small reference evaluator of the neutral AST (the semantics filter-ast.ts
 * documents and the SQL compiler implements) runs each parsed filter over a fixed set of records.
 */
type Metadata = Record<string, unknown> | null;

function evaluate(node: FilterNode, m: Metadata): boolean {
  const has = (key: string) => m !== null && Object.prototype.hasOwnProperty.call(m, key);
  const same = (a: unknown, b: unknown) => typeof a === typeof b && a === b;
  // Pinecone keys are single top-level keys, never paths into nested objects.
  const key = (k: MetadataKey): string => {
    if (Array.isArray(k)) throw new Error('a Pinecone filter should not produce a key path');
    return k;
  };
  switch (node.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'and':
      return node.children.every((c) => evaluate(c, m));
    case 'or':
      return node.children.some((c) => evaluate(c, m));
    case 'not':
      return !evaluate(node.child, m);
    case 'eq':
      return has(key(node.key)) && same(m![key(node.key)], node.value);
    case 'arrayContains':
      return (
        has(key(node.key)) &&
        Array.isArray(m![key(node.key)]) &&
        (m![key(node.key)] as unknown[]).some((x) => same(x, node.value))
      );
    case 'anyOf':
      return node.values.some(
        (value) =>
          has(key(node.key)) &&
          (same(m![key(node.key)], value) ||
            (node.inArrays &&
              Array.isArray(m![key(node.key)]) &&
              (m![key(node.key)] as unknown[]).some((x) => same(x, value)))),
      );
    case 'range': {
      // Pinecone ranges are numeric only; the AST also allows strings (other dialects), compared by byte order.
      const v = has(key(node.key)) ? m![key(node.key)] : undefined;
      if (typeof v !== typeof node.value || (typeof v !== 'number' && typeof v !== 'string')) return false;
      const c =
        typeof v === 'number'
          ? v - (node.value as number)
          : Buffer.compare(Buffer.from(v as string), Buffer.from(node.value as string));
      return node.operator === '>' ? c > 0 : node.operator === '>=' ? c >= 0 : node.operator === '<' ? c < 0 : c <= 0;
    }
    case 'exists':
      return has(key(node.key));
    default:
      throw new Error(`a Pinecone filter should not produce a ${node.kind} node`);
  }
}

const WEIRD_KEY = `it's; "quoted" -- é 日本`;
const WEIRD_VALUE = `v'); DROP TABLE x; -- "ü"`;

const RECORDS: Record<string, Metadata> = {
  drama19: { genre: 'drama', year: 2019, rating: 7 },
  comedy20: { genre: 'comedy', year: 2020, rating: 6.5 },
  both21: { genre: ['comedy', 'drama'], year: 2021, rating: 9 },
  doc18: { genre: 'documentary', year: 2018, subtitled: true },
  thrill: { genre: 'thriller', subtitled: false },
  strYear: { genre: 'drama', year: '2020' },
  bare: null,
  weird: { [WEIRD_KEY]: WEIRD_VALUE },
};

function select(filter: unknown): string[] {
  const node = parsePineconeFilter(filter);
  return Object.entries(RECORDS)
    .filter(([, m]) => evaluate(node, m))
    .map(([id]) => id)
    .sort();
}

function refuses(filter: unknown): PineconeDataError {
  try {
    parsePineconeFilter(filter);
  } catch (err) {
    expect(err).toBeInstanceOf(PineconeDataError);
    const e = err as PineconeDataError;
    expect(e.status).toBe(400);
    expect(e.code).toBe(3);
    expect(e.message).toMatch(/^Invalid filter: /);
    return e;
  }
  throw new Error(`expected ${JSON.stringify(filter)} to be refused`);
}

const sorted = (ids: string[]) => [...ids].sort();

describe('Pinecone filter parser', () => {
  it('reads a bare value as $eq, matching a scalar or any element of a list', () => {
    expect(select({ genre: 'drama' })).toEqual(sorted(['drama19', 'both21', 'strYear']));
    expect(select({ genre: { $eq: 'drama' } })).toEqual(select({ genre: 'drama' }));
    expect(select({ genre: 'comedy' })).toEqual(sorted(['comedy20', 'both21']));
    expect(select({ subtitled: true })).toEqual(['doc18']);
    expect(select({ subtitled: false })).toEqual(['thrill']);
  });

  it('needs every value of an $and of list values', () => {
    expect(select({ $and: [{ genre: 'comedy' }, { genre: 'drama' }] })).toEqual(['both21']);
  });

  it('reads several keys as an implicit AND', () => {
    expect(select({ genre: 'drama', year: 2019 })).toEqual(['drama19']);
    expect(select({ genre: 'comedy', year: { $gte: 2021 } })).toEqual(['both21']);
  });

  it('reads several operators on one key as an AND', () => {
    expect(select({ year: { $gte: 2019, $lt: 2021 } })).toEqual(sorted(['drama19', 'comedy20']));
    expect(select({ genre: { $ne: 'drama', $exists: true } })).toEqual(sorted(['comedy20', 'doc18', 'thrill']));
  });

  it('compares ranges on numbers only: a string never compares with a number', () => {
    expect(select({ year: { $gt: 2019 } })).toEqual(sorted(['comedy20', 'both21']));
    expect(select({ year: { $gte: 2019 } })).toEqual(sorted(['drama19', 'comedy20', 'both21']));
    expect(select({ year: { $lt: 2019 } })).toEqual(['doc18']);
    expect(select({ year: { $lte: 2019 } })).toEqual(sorted(['drama19', 'doc18']));
    expect(select({ rating: { $gt: 6.5 } })).toEqual(sorted(['drama19', 'both21']));
    expect(select({ year: 2020 })).toEqual(['comedy20']);
    expect(select({ year: '2020' })).toEqual(['strYear']);
  });

  it('excludes records without the key, and lists holding the value, from $ne and $nin', () => {
    expect(select({ genre: { $ne: 'drama' } })).toEqual(sorted(['comedy20', 'doc18', 'thrill']));
    expect(select({ genre: { $nin: ['drama', 'comedy'] } })).toEqual(sorted(['doc18', 'thrill']));
    expect(select({ subtitled: { $ne: true } })).toEqual(['thrill']);
  });

  it('matches $in on any element of a list, and on numbers', () => {
    expect(select({ genre: { $in: ['comedy', 'documentary'] } })).toEqual(sorted(['comedy20', 'both21', 'doc18']));
    expect(select({ year: { $in: [2018, 2021] } })).toEqual(sorted(['doc18', 'both21']));
  });

  it('includes records without the key in $exists: false, and records without metadata', () => {
    expect(select({ genre: { $exists: true } })).toEqual(
      sorted(['drama19', 'comedy20', 'both21', 'doc18', 'thrill', 'strYear']),
    );
    expect(select({ genre: { $exists: false } })).toEqual(sorted(['bare', 'weird']));
    expect(select({ $or: [{ genre: { $exists: false } }, { genre: { $ne: 'drama' } }] })).toEqual(
      sorted(['bare', 'weird', 'comedy20', 'doc18', 'thrill']),
    );
  });

  it('nests $and and $or', () => {
    expect(select({ $or: [{ genre: 'thriller' }, { year: 2018 }] })).toEqual(sorted(['thrill', 'doc18']));
    expect(select({ $or: [{ $and: [{ genre: 'drama' }, { year: { $lt: 2020 } }] }, { subtitled: false }] })).toEqual(
      sorted(['drama19', 'thrill']),
    );
    expect(
      select({ $and: [{ $or: [{ genre: 'comedy' }, { genre: 'documentary' }] }, { year: { $gte: 2020 } }] }),
    ).toEqual(sorted(['comedy20', 'both21']));
  });

  it('takes keys and values with quotes, semicolons and unicode literally', () => {
    expect(select({ [WEIRD_KEY]: WEIRD_VALUE })).toEqual(['weird']);
    expect(select({ [WEIRD_KEY]: { $in: [WEIRD_VALUE] } })).toEqual(['weird']);
    expect(select({ [WEIRD_KEY]: 'v' })).toEqual([]);
    expect(select({ "genre' OR '1'='1": 'drama' })).toEqual([]);
    expect(select({ genre: "drama' OR '1'='1" })).toEqual([]);
    const node = parsePineconeFilter({ [WEIRD_KEY]: { $exists: true } });
    expect(node).toEqual({ kind: 'exists', key: WEIRD_KEY });
  });

  it('reads an empty filter as no condition, and says so', () => {
    expect(parsePineconeFilter({})).toEqual({ kind: 'all' });
    expect(isEmptyFilter({})).toBe(true);
    expect(isEmptyFilter({ genre: 'drama' })).toBe(false);
  });

  it.each([
    ['a list as a value', { genre: ['a', 'b'] }],
    ['$eq with a list', { genre: { $eq: ['a'] } }],
    ['$ne with a list', { genre: { $ne: ['a'] } }],
    ['$eq with an object', { genre: { $eq: { x: 1 } } }],
    ['a null value', { genre: null }],
    ['$eq with null', { genre: { $eq: null } }],
    ['an unknown operator', { genre: { $regex: 'dr.*' } }],
    ['an unknown top-level operator', { $not: { genre: 'drama' } }],
    ['$gt on a string', { year: { $gt: '2019' } }],
    ['$lte on a boolean', { year: { $lte: true } }],
    ['$in that is not an array', { genre: { $in: 'drama' } }],
    ['$nin that is not an array', { genre: { $nin: { a: 1 } } }],
    ['$in holding a list', { genre: { $in: [['a']] } }],
    ['$in holding null', { genre: { $in: [null] } }],
    ['$exists with a string', { genre: { $exists: 'yes' } }],
    ['$exists with a number', { genre: { $exists: 1 } }],
    ['an operator object with no operator', { genre: {} }],
    ['$and that is not an array', { $and: { genre: 'drama' } }],
    ['$or holding a non-object', { $or: ['drama'] }],
    ['$and holding an invalid filter', { $and: [{ genre: 'drama' }, { year: { $gt: 'x' } }] }],
    ['a filter that is an array', [{ genre: 'drama' }]],
    ['a filter that is a string', 'genre = drama'],
    ['a filter that is null', null],
  ])('refuses %s with a 400', (_, filter) => {
    refuses(filter);
  });

  it('names the offending operator in its message', () => {
    expect(refuses({ genre: { $regex: 'x' } }).message).toContain('$regex');
    expect(refuses({ year: { $gt: 'x' } }).message).toContain('$gt');
  });
});
