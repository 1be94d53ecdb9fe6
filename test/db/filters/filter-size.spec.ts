import { RecordTableRepository, qualified } from '../../../src/core/collections/record-table.repository';
import { TooManyValuesError } from '../../../src/core/errors';
import { compileFilter } from '../../../src/core/filters/compile-filter';
import { and, not, or, type FilterNode, type Scalar } from '../../../src/core/filters/filter-ast';
import { MAX_STATEMENT_VALUES, SqlParams } from '../../../src/core/filters/sql-params';
import type { Database } from '../../../src/database/database';
import { openTestDatabase } from '../../support/database';

const TABLE = 'r_00000000000000000000000000000f11';

const ROWS: { id: string; document: string; metadata: unknown }[] = [
  { id: 'a', document: 'the quick fox', metadata: { k: 'red', n: 1, title: 'Intro to SQL' } },
  { id: 'b', document: 'a lazy dog', metadata: { k: ['blue', 'green'], n: 2, title: 'SQL in depth' } },
  { id: 'c', document: '100% sure', metadata: { k: 'green', n: 2.0, title: 42 } },
  { id: 'd', document: 'nothing', metadata: { other: 'red', title: 'a_b' } },
];

const eq = (key: string, value: Scalar): FilterNode => ({ kind: 'eq', key, value });
const contains = (value: Scalar): FilterNode => ({ kind: 'arrayContains', key: 'k', value });
const text = (mode: 'exact' | 'prefix' | 'suffix' | 'contains', t: string): FilterNode => ({
  kind: 'textMatch',
  key: 'title',
  mode,
  text: t,
});
const words = (n: number, prefix = 'absent') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

/**
 * How many values a filter binds, and that what folding saves changes no answer: an `or` over one
 * key is one list (Qdrant's text_any, `$or` of `$in`), a key named again is bound once, and a
 * statement past the values one statement binds is refused before it is sent.
 */
describe('the values a filter binds', () => {
  let db: Database;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await openTestDatabase());
    await new RecordTableRepository().create(db, TABLE);
    for (const row of ROWS)
      await db.query(`INSERT INTO ${qualified(TABLE)} (id, document, metadata) VALUES ($1, $2, $3)`, [
        row.id,
        row.document,
        JSON.stringify(row.metadata),
      ]);
  });
  afterAll(() => close());

  function compiled(node: FilterNode): { where: string; params: SqlParams } {
    const params = new SqlParams(['']);
    return { where: compileFilter(node, params), params };
  }

  async function ids(node: FilterNode): Promise<string[]> {
    const { where, params } = compiled(node);
    const { rows } = await db.query(
      `SELECT id FROM ${qualified(TABLE)} WHERE namespace = $1 AND ${where} ORDER BY id`,
      params.values,
    );
    return rows.map((r) => r.id);
  }

  it('binds a text_any of 10,000 words as one pattern list, and matches as one branch a word did', async () => {
    const textAny = (list: string[]) => or(...list.map((w) => text('contains', w)));
    const { where, params } = compiled(textAny(words(10_000)));
    expect(params.values).toHaveLength(3);
    expect(where).toContain('LIKE ANY($3::text[])');
    expect(await ids(textAny([...words(9_998), 'SQL', '_b']))).toEqual(['a', 'b', 'd']);
    expect(await ids(textAny(['sql', 'Intro']))).toEqual(['a']);
    // Every mode, and wildcards taken literally, in one list.
    expect(await ids(or(text('exact', 'Intro to SQL'), text('prefix', 'SQL'), text('suffix', '%')))).toEqual([
      'a',
      'b',
    ]);
    expect(await ids(not(textAny(['SQL', 'x'])))).toEqual(['c', 'd']);
  });

  it('binds document substring searches of one or as one pattern list', async () => {
    const docs = (list: string[]) => or(...list.map((t): FilterNode => ({ kind: 'documentContains', text: t })));
    const { params } = compiled(docs(words(5_000)));
    expect(params.values).toHaveLength(2);
    expect(await ids(docs([...words(100), 'fox', '0%']))).toEqual(['a', 'c']);
  });

  it('merges equalities, memberships and $in lists on one key into one list, answering as before', async () => {
    const many = (make: (v: string) => FilterNode) => or(...words(5_000, 'v').map(make), make('red'), make('blue'));
    // Chroma's $or of $eq: the values of the key, not elements of an array.
    const values = compiled(many((v) => eq('k', v)));
    expect(values.params.values).toHaveLength(3);
    expect(await ids(many((v) => eq('k', v)))).toEqual(['a']);
    // Qdrant's match value: the value or an element of it.
    const either = (v: string) => or(eq('k', v), contains(v));
    expect(compiled(many(either)).params.values).toHaveLength(3);
    expect(await ids(many(either))).toEqual(['a', 'b']);
    // Pinecone's $or of $in: lists merged into one.
    const lists = or(
      ...Array.from({ length: 5_000 }, (_, i): FilterNode => ({
        kind: 'anyOf',
        key: 'k',
        values: [`v${i}`, `w${i}`],
        inArrays: true,
      })),
      { kind: 'anyOf', key: 'k', values: ['green'], inArrays: true },
    );
    expect(compiled(lists).params.values).toHaveLength(3);
    expect(await ids(lists)).toEqual(['b', 'c']);
    // Short lists keep the containment tests, values only in arrays their own, other keys apart.
    expect(await ids(or(eq('k', 'green'), contains('blue'), eq('n', 1), eq('other', 'red')))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(await ids(or(eq('n', 2), eq('n', 2.0), eq('n', '2')))).toEqual(['b', 'c']);
    expect(await ids(and(or(eq('k', 'red'), eq('k', 'green')), not(or(eq('n', 1), eq('n', 3)))))).toEqual(['c']);
  });

  it('binds a key named in several conditions once', () => {
    const ranges = and(
      ...Array.from({ length: 100 }, (_, i): FilterNode => ({ kind: 'range', key: 'n', operator: '>', value: -i })),
    );
    // The namespace, the key, and one bound a condition.
    expect(compiled(ranges).params.values).toHaveLength(102);
  });

  it('refuses a filter past the values one statement binds before anything runs', () => {
    // 5,000 lists of 14 values, each on a key of its own: one containment test a value.
    const tooMany = or(
      ...Array.from({ length: 5_000 }, (_, i): FilterNode => ({
        kind: 'anyOf',
        key: `k${i}`,
        values: words(14, `v${i}-`),
        inArrays: false,
      })),
    );
    expect(() => compiled(tooMany)).toThrow(TooManyValuesError);
    expect(() => compiled(tooMany)).toThrow(/more than 65535 values/);
  });

  it('runs a statement of exactly as many values as one statement binds', async () => {
    const params = new SqlParams();
    const placeholders = Array.from({ length: MAX_STATEMENT_VALUES }, (_, i) => params.add(`${i}`));
    const { rows } = await db.query(
      `SELECT cardinality(ARRAY[${placeholders.join(', ')}]::text[]) AS n, ${placeholders.at(-1)}::text AS last`,
      params.values,
    );
    expect(rows[0]).toEqual({ n: MAX_STATEMENT_VALUES, last: `${MAX_STATEMENT_VALUES - 1}` });
    expect(() => params.add('one more')).toThrow(TooManyValuesError);
  });
});
