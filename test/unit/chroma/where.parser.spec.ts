import { parseWhere, parseWhereDocument } from '../../../src/protocols/chroma/where.parser';

describe('Chroma where parser', () => {
  it('reads a bare value as $eq', () => {
    expect(parseWhere({ k: 'v' })).toEqual({ kind: 'eq', key: 'k', value: 'v' });
  });

  it('spells $ne as not(eq), so records without the key match', () => {
    expect(parseWhere({ k: { $ne: 1 } })).toEqual({ kind: 'not', child: { kind: 'eq', key: 'k', value: 1 } });
  });

  it('spells $in as an or of equalities and $nin as its negation', () => {
    expect(parseWhere({ k: { $in: [1, 2] } })).toEqual({
      kind: 'or',
      children: [
        { kind: 'eq', key: 'k', value: 1 },
        { kind: 'eq', key: 'k', value: 2 },
      ],
    });
    expect(parseWhere({ k: { $nin: ['a'] } })).toEqual({ kind: 'not', child: { kind: 'eq', key: 'k', value: 'a' } });
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
