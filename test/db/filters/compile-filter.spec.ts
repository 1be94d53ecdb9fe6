import { RangeIndexRepository } from '../../../src/core/collections/range-index.repository';
import { RecordTableRepository, qualified } from '../../../src/core/collections/record-table.repository';
import type { Database } from '../../../src/database/database';
import { compileEstimate, compileFilter } from '../../../src/core/filters/compile-filter';
import { and, not, or, type FilterNode, type Scalar } from '../../../src/core/filters/filter-ast';
import { SqlParams } from '../../../src/core/filters/sql-params';
import { openTestDatabase } from '../../support/database';

const TABLE = 'r_0123456789abcdef0123456789abcdef';

const ROWS: { id: string; document: string | null; metadata: unknown }[] = [
  { id: 'int2', document: 'hello world', metadata: { n: 2, cat: 'a' } },
  { id: 'float2', document: 'Hello there', metadata: { n: 2.0, cat: 'b' } },
  { id: 'str2', document: '100% sure_thing', metadata: { n: '2', cat: 'a' } },
  { id: 'bool', document: null, metadata: { n: true, flag: true } },
  { id: 'list', document: 'lists', metadata: { tags: ['x', 'y'], n: 7.5 } },
  { id: 'nometa', document: 'nothing here', metadata: null },
  { id: "quo'te", document: "it's; DROP TABLE x; --", metadata: { "we'ird; key": 'v"al', ключ: '值' } },
];

describe('compileFilter', () => {
  describe('SQL shape', () => {
    function sql(node: FilterNode) {
      const params = new SqlParams(['ns']);
      return { text: compileFilter(node, params), values: params.values };
    }

    it('compiles equality to a GIN-servable containment with the key inside a bind parameter', () => {
      const { text, values } = sql({ kind: 'eq', key: "k'; DROP", value: 'v' });
      expect(text).toBe('metadata @> $2::jsonb');
      expect(values[1]).toBe(JSON.stringify({ "k'; DROP": 'v' }));
    });

    it('compiles array membership to containment of a one-element array', () => {
      expect(sql({ kind: 'arrayContains', key: 'tags', value: 'x' }).values[1]).toBe('{"tags":["x"]}');
    });

    it('compiles ranges to one expression, the number at the key or NULL, key and value as parameters', () => {
      const { text, values } = sql({ kind: 'range', key: 'n', operator: '>=', value: 2 });
      expect(text).toBe(
        `((CASE WHEN jsonb_typeof(metadata -> $2::text) = 'number' THEN (metadata -> $2::text)::numeric END) >= $3::numeric)`,
      );
      expect(values.slice(1)).toEqual(['n', '2']);
    });

    it('keeps positive nodes bare and compiles a negation to IS NOT TRUE', () => {
      const { text } = sql(and({ kind: 'eq', key: 'a', value: 1 }, not({ kind: 'eq', key: 'b', value: 2 })));
      expect(text).toBe('(metadata @> $2::jsonb AND ((metadata @> $3::jsonb) IS NOT TRUE))');
    });

    it('compiles document substring search to an escaped LIKE the trigram index serves', () => {
      const { text, values } = sql({ kind: 'documentContains', text: '100%_\\' });
      expect(text).toBe('document LIKE $2::text');
      expect(values[1]).toBe('%100\\%\\_\\\\%');
    });

    it('folds empty $and to TRUE and empty $or to FALSE', () => {
      expect(sql(and()).text).toBe('TRUE');
      expect(sql(or()).text).toBe('FALSE');
    });

    it('never puts a value or key into the SQL text', () => {
      const evil = "'); DELETE FROM vecgate_collections; --";
      const { text } = sql(
        or(
          { kind: 'eq', key: evil, value: evil },
          { kind: 'range', key: evil, operator: '<', value: 1 },
          { kind: 'documentRegex', pattern: evil },
        ),
      );
      expect(text).not.toContain('DELETE');
    });
  });

  describe('matched rows', () => {
    let db: Database;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ db, close } = await openTestDatabase());
      await new RecordTableRepository().create(db, TABLE);
      for (const row of ROWS) {
        await db.query(`INSERT INTO ${qualified(TABLE)} (id, document, metadata) VALUES ($1, $2, $3)`, [
          row.id,
          row.document,
          row.metadata && JSON.stringify(row.metadata),
        ]);
      }
    });
    afterAll(() => close());

    async function ids(node: FilterNode): Promise<string[]> {
      const params = new SqlParams(['']);
      const where = compileFilter(node, params);
      const { rows } = await db.query(
        `SELECT id FROM ${qualified(TABLE)} WHERE namespace = $1 AND ${where} ORDER BY seq`,
        params.values,
      );
      return rows.map((r) => r.id);
    }

    it('matches int 2 and float 2.0 alike, but never the string "2" or true', async () => {
      expect(await ids({ kind: 'eq', key: 'n', value: 2 })).toEqual(['int2', 'float2']);
      expect(await ids({ kind: 'eq', key: 'n', value: '2' })).toEqual(['str2']);
      expect(await ids({ kind: 'eq', key: 'n', value: true })).toEqual(['bool']);
    });

    it('matches a negated equality on records that lack the key or have no metadata', async () => {
      expect(await ids(not({ kind: 'eq', key: 'cat', value: 'a' }))).toEqual([
        'float2',
        'bool',
        'list',
        'nometa',
        "quo'te",
      ]);
    });

    it('compares ranges numerically and only on numbers', async () => {
      expect(await ids({ kind: 'range', key: 'n', operator: '>', value: 1.5 })).toEqual(['int2', 'float2', 'list']);
      expect(await ids({ kind: 'range', key: 'n', operator: '<=', value: 2 })).toEqual(['int2', 'float2']);
    });

    it('tests array membership without matching scalars', async () => {
      expect(await ids({ kind: 'arrayContains', key: 'tags', value: 'y' })).toEqual(['list']);
      expect(await ids({ kind: 'eq', key: 'tags', value: 'y' })).toEqual([]);
    });

    it('finds keys and values with quotes, semicolons and unicode', async () => {
      expect(await ids({ kind: 'eq', key: "we'ird; key", value: 'v"al' })).toEqual(["quo'te"]);
      expect(await ids({ kind: 'eq', key: 'ключ', value: '值' })).toEqual(["quo'te"]);
      expect(await ids({ kind: 'exists', key: "we'ird; key" })).toEqual(["quo'te"]);
    });

    it('searches documents case-sensitively, LIKE wildcards taken literally', async () => {
      expect(await ids({ kind: 'documentContains', text: 'hello' })).toEqual(['int2']);
      expect(await ids({ kind: 'documentContains', text: '100%' })).toEqual(['str2']);
      expect(await ids({ kind: 'documentContains', text: '_' })).toEqual(['str2']);
      expect(await ids({ kind: 'documentContains', text: '' })).toEqual([
        'int2',
        'float2',
        'str2',
        'list',
        'nometa',
        "quo'te",
      ]);
    });

    it('matches negated document searches on records without a document', async () => {
      expect(await ids(not({ kind: 'documentContains', text: 'l' }))).toEqual(['str2', 'bool', 'nometa', "quo'te"]);
      expect(await ids(not({ kind: 'documentRegex', pattern: '^[hH]ello' }))).toEqual([
        'str2',
        'bool',
        'list',
        'nometa',
        "quo'te",
      ]);
    });

    /** `values` padded past the short-list form with values no row holds, so that both forms are run. */
    const long = (values: (string | number | boolean)[]) => [
      ...values,
      ...Array.from({ length: 10_000 - values.length }, (_, i) => `absent-${i}`),
    ];

    it.each([
      ['a short list', (v: (string | number | boolean)[]) => v],
      ['a list of 10,000 values, one array parameter', long],
    ])('matches $in given as %s, with or without array elements', async (_, list) => {
      const anyOf = (key: string, values: (string | number | boolean)[], inArrays: boolean): FilterNode => ({
        kind: 'anyOf',
        key,
        values: list(values),
        inArrays,
      });
      expect(await ids(anyOf('n', [2, 7.5], false))).toEqual(['int2', 'float2', 'list']);
      expect(await ids(anyOf('n', ['2', true], false))).toEqual(['str2', 'bool']);
      expect(await ids(anyOf('tags', ['y', 'z'], false))).toEqual([]);
      expect(await ids(anyOf('tags', ['y', 'z'], true))).toEqual(['list']);
      expect(await ids(anyOf("we'ird; key", ['v"al'], true))).toEqual(["quo'te"]);
      expect(await ids(not(anyOf('cat', ['a'], true)))).toEqual(['float2', 'bool', 'list', 'nometa', "quo'te"]);
    });

    it('passes a long $in list as one parameter', () => {
      const params = new SqlParams(['']);
      compileFilter({ kind: 'anyOf', key: 'n', values: long([1]), inArrays: true }, params);
      expect(params.values).toHaveLength(3);
    });

    it('combines and/or/not and id lists', async () => {
      const node = and(
        or({ kind: 'eq', key: 'cat', value: 'a' }, { kind: 'exists', key: 'tags' }),
        not({ kind: 'idIn', ids: ['str2'] }),
      );
      expect(await ids(node)).toEqual(['int2', 'list']);
      expect(await ids({ kind: 'idIn', ids: ["quo'te", 'missing'] })).toEqual(["quo'te"]);
    });
  });

  describe('index use on a table of realistic size', () => {
    const BIG = 'r_fedcba9876543210fedcba9876543210';
    let db: Database;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ db, close } = await openTestDatabase());
      await new RecordTableRepository().create(db, BIG);
      await db.query(
        `INSERT INTO ${qualified(BIG)} (id, document, metadata)
         SELECT 'id' || i, 'document number ' || i || ' about ' || md5(i::text), jsonb_build_object('cat', 'c' || (i % 100), 'n', i, 'o', jsonb_build_object('we''ird; "k', i))
         FROM generate_series(1, 5000) AS i`,
      );
      await db.query(`ANALYZE ${qualified(BIG)}`);
    });
    afterAll(() => close());

    /**
     * The plan of a filtered read. `formOnly` leaves out the namespace condition and prices out
     * sequential scans: it shows that an index can serve the compiled form at all, whatever the
     * planner's estimates on a table this small.
     */
    async function plan(node: FilterNode, formOnly = false): Promise<string> {
      const params = new SqlParams(['']);
      const where = compileFilter(node, params);
      return db.transaction(async (tx) => {
        if (formOnly) await tx.query('SET LOCAL enable_seqscan = off');
        const namespace = formOnly ? '$1::text IS NOT NULL' : 'namespace = $1';
        const { rows } = await tx.query(
          `EXPLAIN SELECT id FROM ${qualified(BIG)} WHERE ${namespace} AND ${where}`,
          params.values,
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
    }

    it('serves a selective equality from the GIN metadata index', async () => {
      expect(await plan({ kind: 'eq', key: 'cat', value: 'c7' })).toMatch(/Bitmap Index Scan on \S+_metadata/);
    });

    it('compiles document substring search to a form the trigram index serves', async () => {
      expect(await plan({ kind: 'documentContains', text: 'number 4321 ' }, true)).toMatch(
        /Bitmap Index Scan on \S+_document/,
      );
    });

    it('compiles numeric ranges, on a key or a nested path, to the form the range indexes serve', async () => {
      const ranges = new RangeIndexRepository();
      await ranges.build(db, { id: '1', key: ['n'], table: BIG });
      await ranges.build(db, { id: '2', key: ['o', 'we\'ird; "k'], table: BIG });
      const between = (key: string | string[], lo: number, hi: number) =>
        and({ kind: 'range', key, operator: '>=', value: lo }, { kind: 'range', key, operator: '<', value: hi });
      expect(await plan(between('n', 100, 150), true)).toMatch(/Index Scan (?:using|on) \S+_range_1\b/);
      expect(await plan(between(['o', 'we\'ird; "k'], 100, 150), true)).toMatch(
        /Index Scan (?:using|on) \S+_range_2\b/,
      );
      expect(await plan({ kind: 'range', key: 'n', operator: '>', value: 4990 }, true)).toMatch(
        /Index Scan (?:using|on) \S+_range_1\b/,
      );
    });
  });
});

describe('compileFilter on strings', () => {
  let db: Database;
  let close: () => Promise<void>;
  const T = 'r_00000000000000000000000000000abc';

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    await new RecordTableRepository().create(db, T);
    const rows: [string, unknown][] = [
      ['jan', { created_at: '2024-01-15T10:00:00Z', title: 'Intro to SQL' }],
      ['feb', { created_at: '2024-02-01T00:00:00Z', title: 'SQL in depth' }],
      ['num', { created_at: 20240101, title: 42 }],
      ['none', null],
    ];
    for (const [id, metadata] of rows)
      await db.query(`INSERT INTO ${qualified(T)} (id, metadata) VALUES ($1, $2)`, [
        id,
        metadata && JSON.stringify(metadata),
      ]);
  });
  afterAll(() => close());

  async function ids(node: FilterNode): Promise<string[]> {
    const params = new SqlParams(['']);
    const { rows } = await db.query(
      `SELECT id FROM ${qualified(T)} WHERE namespace = $1 AND ${compileFilter(node, params)} ORDER BY seq`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  it('compares string ranges in byte order and only against strings, so ISO dates compare as dates', async () => {
    expect(await ids({ kind: 'range', key: 'created_at', operator: '<', value: '2024-02-01' })).toEqual(['jan']);
    expect(await ids({ kind: 'range', key: 'created_at', operator: '>=', value: '2024-01-20' })).toEqual(['feb']);
  });

  it('matches text exactly, by prefix, by suffix and by substring, case-sensitively, wildcards literal', async () => {
    expect(await ids({ kind: 'textMatch', key: 'title', mode: 'exact', text: 'Intro to SQL' })).toEqual(['jan']);
    expect(await ids({ kind: 'textMatch', key: 'title', mode: 'prefix', text: 'SQL' })).toEqual(['feb']);
    expect(await ids({ kind: 'textMatch', key: 'title', mode: 'suffix', text: 'SQL' })).toEqual(['jan']);
    expect(await ids({ kind: 'textMatch', key: 'title', mode: 'contains', text: 'sql' })).toEqual([]);
    expect(await ids({ kind: 'textMatch', key: 'title', mode: 'contains', text: '%' })).toEqual([]);
  });
});

/**
 * compileEstimate's own forms on a key with statistics (a count of values for `is_empty`, one
 * jsonpath for a `nested` filter) keep the very records compileFilter's do: here on values of every
 * JSON type where a key is expected to hold something else, arrays where objects are, and the
 * reverse. The forms differ only on such keys; the statistics themselves play no part in the answer.
 */
describe('compileEstimate keeps the records compileFilter keeps', () => {
  let db: Database;
  let close: () => Promise<void>;
  const T = 'r_00000000000000000000000000000e57';
  const STATISTICS_KEYS = [['items'], ['vs']];

  const ITEMS: unknown[] = [
    [
      { k: 'a', x: 1 },
      { k: 'b', x: 5 },
    ],
    [{ k: ['a'], x: '5' }],
    [{ k: 1 }, { k: 1.0, x: null }],
    { k: 'a', x: 5 },
    'a',
    [],
    ['a', 1, null, [{ k: 'a' }], true],
    [{ k: { a: 1 } }, { x: [1, 5] }, { x: { y: 1 } }],
    null,
    [{ sub: [{ k: 'a' }, { k: 'b', x: 2 }] }, { sub: 'x' }, { sub: { k: 'b' } }],
    [{ p: { q: 'a' } }, { p: [{ q: 'b' }] }, { p: { 0: 'c' } }, { p: ['d'] }],
    [
      { k: 'a"b\\c', x: 1e21 },
      { k: true, x: -1e-7 },
      { k: false, x: 0 },
    ],
    [{ k: 'x', x: 2 }],
  ];
  const VALUES: unknown[] = [null, [], [null], 'x', '', 0, false, {}, { a: 1 }, [1, 2], [[]], [1, [2, 3], 4]];

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    await new RecordTableRepository().create(db, T);
    const rows: unknown[] = [null, {}, ...ITEMS.map((items) => ({ items })), ...VALUES.map((vs) => ({ vs }))];
    for (const [i, metadata] of rows.entries())
      await db.query(`INSERT INTO ${qualified(T)} (id, metadata) VALUES ($1, $2)`, [
        `r${i}`,
        metadata === null ? null : JSON.stringify(metadata),
      ]);
  });
  afterAll(() => close());

  async function ids(node: FilterNode, estimate: boolean): Promise<string[]> {
    const params = new SqlParams(['']);
    const where = estimate ? compileEstimate(node, params, STATISTICS_KEYS) : compileFilter(node, params);
    const { rows } = await db.query(
      `SELECT id FROM ${qualified(T)} WHERE namespace = $1 AND ${where} ORDER BY seq`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  const nested = (filter: FilterNode, key: string | string[] = 'items'): FilterNode => ({
    kind: 'nested',
    key,
    filter,
  });
  const eq = (key: string | string[], value: Scalar): FilterNode => ({ kind: 'eq', key, value });
  const range = (key: string, operator: '>' | '>=' | '<' | '<=', value: number | string): FilterNode => ({
    kind: 'range',
    key,
    operator,
    value,
  });
  const anyOf = (values: Scalar[], inArrays: boolean): FilterNode => ({ kind: 'anyOf', key: 'k', values, inArrays });
  const many = (count: number) => ['b', ...Array.from({ length: count - 1 }, (_, i) => `absent-${i}`)];

  const NESTED: [string, FilterNode][] = [
    ['an equality', nested(eq('k', 'a'))],
    ['an equality of numbers', nested(eq('k', 1))],
    ['an equality of booleans', nested(eq('k', true))],
    ['an equality with quotes', nested(eq('k', 'a"b\\c'))],
    ['a Qdrant match', nested(or(eq('k', 'a'), { kind: 'arrayContains', key: 'k', value: 'a' }))],
    ['an array membership', nested({ kind: 'arrayContains', key: 'k', value: 'a' })],
    ['a short $in', nested(anyOf(['a', 1, false], false))],
    ['a short $in, arrays too', nested(anyOf(['a', 1, false], true))],
    ['a $in past the short form', nested(anyOf(many(20), true))],
    ['a $in past what a jsonpath spells', nested(anyOf(many(80), true))],
    ['a numeric range', nested(range('x', '>=', 2))],
    ['a numeric range below', nested(range('x', '<', 5))],
    ['a range on large and small numbers', and(nested(range('x', '>=', 1e21)), nested(range('x', '<', 0)))],
    ['a string range', nested(range('x', '>=', '5'))],
    ['$exists', nested({ kind: 'exists', key: 'x' })],
    ['a null test', nested({ kind: 'isNull', key: 'x' })],
    ['a negation', nested(not(eq('k', 'a')))],
    ['a negated $exists', nested(not({ kind: 'exists', key: 'x' }))],
    ['an and on one element', nested(and(eq('k', 'b'), range('x', '>=', 5)))],
    ['an or', nested(or(eq('k', 'x'), range('x', '<', 2)))],
    ['a nested filter in a nested filter', nested(nested(and(eq('k', 'b'), range('x', '>', 1)), 'sub'))],
    ['a nested filter on a non-array', nested(nested(eq('k', 'b'), 'sub'))],
    ['a path', nested(eq(['p', 'q'], 'a'))],
    ['a path through a number', nested({ kind: 'exists', key: ['p', '0'] })],
    ['a text match', nested({ kind: 'textMatch', key: 'k', mode: 'prefix', text: 'a' })],
    ['an at-least', nested({ kind: 'atLeast', min: 1, children: [eq('k', 'a'), eq('k', 'b')] })],
    ['a negated nested filter', not(nested(eq('k', 'a')))],
    ['a nested filter of everything', nested({ kind: 'all' })],
  ];

  it.each(NESTED)('in a nested filter: %s', async (_name, node) => {
    expect(await ids(node, true)).toEqual(await ids(node, false));
  });

  it.each(
    [0, 1, 2, 3].flatMap((count) => (['>', '>=', '<', '<='] as const).map((operator) => [operator, count] as const)),
  )('in a count of values %s %d', async (operator, count) => {
    const node: FilterNode = { kind: 'valuesCount', key: 'vs', operator, count };
    expect(await ids(node, true)).toEqual(await ids(node, false));
  });

  it('in an emptiness test, and its negation', async () => {
    const node: FilterNode = { kind: 'isEmpty', key: 'vs' };
    expect(await ids(node, true)).toEqual(await ids(node, false));
    expect(await ids(not(node), true)).toEqual(await ids(not(node), false));
    expect(await ids(node, false)).toHaveLength(2 + ITEMS.length + 2); // no metadata, {}, every items row, null, []
  });

  it('tests a nested filter as one jsonpath parameter, and an untranslatable one as the EXISTS', () => {
    const sql = (node: FilterNode) => {
      const params = new SqlParams(['']);
      return { text: compileEstimate(node, params, STATISTICS_KEYS), values: params.values };
    };
    const { text, values } = sql(nested(and(eq('k', 'a'), range('x', '<', 5))));
    expect(text).toBe('(metadata -> $2::text) @? $3::jsonpath');
    expect(values).toEqual(['', 'items', 'strict $[*] ? (((@."k" == "a") && (@."x" < 5)))']);
    expect(sql(nested(eq('k', 'a\u0000'))).text).toMatch(/^EXISTS/);
    expect(sql(nested({ kind: 'textMatch', key: 'k', mode: 'contains', text: 'a' })).text).toMatch(/^EXISTS/);
    // Without statistics of the key, the form that runs.
    const params = new SqlParams(['']);
    expect(compileEstimate(nested(eq('k', 'a')), params, [])).toMatch(/^EXISTS/);
  });
});
