import { parseWhere, parseWhereDocument } from '../../../src/protocols/chroma/chroma-filter.parser';

describe('Chroma where parser', () => {
  it('reads a bare value as $eq', () => {
    expect(parseWhere({ k: 'v' })).toEqual({ kind: 'eq', key: 'k', value: 'v' });
  });

  it('reads a key that starts with $ as a metadata key, but $and and $or, as Chroma 1.0.0 does', () => {
    expect(parseWhere({ $x: 1 })).toEqual({ kind: 'eq', key: '$x', value: 1 });
    expect(parseWhere({ $x: { $eq: 1 } })).toEqual({ kind: 'eq', key: '$x', value: 1 });
    expect(parseWhere({ $eq: { $gt: 1 } })).toEqual({ kind: 'range', key: '$eq', operator: '>', value: 1 });
    expect(parseWhere({ $and: [{ $x: 1 }] })).toEqual({ kind: 'eq', key: '$x', value: 1 });
    expect(() => parseWhere({ $or: 1 })).toThrow('Invalid where clause: $or takes a list of clauses, got 1');
    expect(() => parseWhere({ $x: { $x: 1 } })).toThrow('Invalid where clause: unknown operator "$x" on key "$x"');
  });

  it('spells $ne as not(eq), so records without the key match', () => {
    expect(parseWhere({ k: { $ne: 1 } })).toEqual({ kind: 'not', child: { kind: 'eq', key: 'k', value: 1 } });
  });

  it('spells $in as one list of equal values (not array elements) and $nin as its negation', () => {
    expect(parseWhere({ k: { $in: [1, 2] } })).toEqual({ kind: 'anyOf', key: 'k', values: [1, 2], inArrays: false });
    expect(parseWhere({ k: { $nin: ['a'] } })).toEqual({
      kind: 'not',
      child: { kind: 'anyOf', key: 'k', values: ['a'], inArrays: false },
    });
  });

  it.each([
    ['nested past 64 operators', nestedAnd(65)],
    ['a $in list past 10,000 values', { k: { $in: Array.from({ length: 10_001 }, (_, i) => i) } }],
    ['an $or of more than 10,000 clauses', { $or: Array.from({ length: 10_001 }, (_, i) => ({ k: i })) }],
  ])('refuses a filter %s with a 400, before walking it', (_, where) => {
    expect(() => parseWhere(where)).toThrow(/Invalid filter: .*(deep|at most 10000)/);
  });

  it('refuses a filter nested 200,000 deep without running out of stack', () => {
    expect(() => parseWhere(nestedAnd(200_000))).toThrow(/64 operators deep/);
  });

  it('keeps a filter nested 64 deep and a list of 10,000 values', () => {
    expect(() => parseWhere(nestedAnd(63))).not.toThrow();
    expect(() => parseWhere({ k: { $in: Array.from({ length: 10_000 }, (_, i) => i) } })).not.toThrow();
  });

  it('reads ranges on numbers only', () => {
    expect(parseWhere({ k: { $lte: 2.5 } })).toEqual({ kind: 'range', key: 'k', operator: '<=', value: 2.5 });
    expect(() => parseWhere({ k: { $lte: '2' } })).toThrow('Invalid where clause');
    expect(() => parseWhere({ k: { $lte: true } })).toThrow('Invalid where clause');
  });

  it('folds empty $and to all and empty $or to none', () => {
    expect(parseWhere({ $and: [] })).toEqual({ kind: 'all' });
    expect(parseWhere({ $or: [] })).toEqual({ kind: 'none' });
  });

  it('keeps keys that look like SQL as plain data', () => {
    expect(parseWhere({ "a'); DROP TABLE x; --": 1 })).toEqual({ kind: 'eq', key: "a'); DROP TABLE x; --", value: 1 });
  });

  it('reads where_document operators, negations included', () => {
    expect(parseWhereDocument({ $not_regex: 'a+' })).toEqual({
      kind: 'not',
      child: { kind: 'documentRegex', pattern: '(?p)a+' },
    });
    expect(() => parseWhereDocument({ $matches: 'x' })).toThrow('Invalid where document clause');
  });
});

/** `{"$and": [{"$and": [... {"k": 1} ...]}, {"k": 1}]}`, `depth` operators deep. */
function nestedAnd(depth: number): unknown {
  let where: unknown = { k: 1 };
  for (let i = 0; i < depth; i++) where = { $and: [where, { k: 1 }] };
  return where;
}
