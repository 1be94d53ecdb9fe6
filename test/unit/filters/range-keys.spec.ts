import { and, not, or } from '../../../src/core/filters/filter-ast';
import { numericRangeKeys, valueKeys } from '../../../src/core/filters/range-keys';

describe('numericRangeKeys', () => {
  it('finds the keys compared with numbers under and/or, once each, top-level keys as paths of one', () => {
    const filter = and(
      { kind: 'range', key: 'price', operator: '>=', value: 10 },
      { kind: 'range', key: 'price', operator: '<', value: 20 },
      or({ kind: 'eq', key: 'cat', value: 'a' }, { kind: 'range', key: ['a', 'b'], operator: '>', value: 1.5 }),
    );
    expect(numericRangeKeys(filter)).toEqual([['price'], ['a', 'b']]);
  });

  it('leaves out string ranges (byte order, which a jsonb index does not keep), negated ranges and every other node', () => {
    const filter = and(
      { kind: 'range', key: 'created_at', operator: '>', value: '2024-01-01' },
      not({ kind: 'range', key: 'price', operator: '<', value: 5 }),
      { kind: 'eq', key: 'n', value: 3 },
      { kind: 'exists', key: 'm' },
      { kind: 'textMatch', key: 't', mode: 'prefix', text: 'x' },
    );
    expect(numericRangeKeys(filter)).toEqual([]);
  });

  it('keeps a hostile key as it is (Postgres quotes it when the index is built)', () => {
    expect(numericRangeKeys({ kind: 'range', key: `'; DROP TABLE x; --"`, operator: '<=', value: 0 })).toEqual([
      [`'; DROP TABLE x; --"`],
    ]);
  });
});

describe('valueKeys', () => {
  it('finds the keys tested for values under and, or, not and at-least, negated ones too, once each', () => {
    const filter = and(
      { kind: 'eq', key: 'cat', value: 'a' },
      not({ kind: 'anyOf', key: 'cat', values: ['b', 'c'], inArrays: false }),
      or({ kind: 'exists', key: ['a', 'b'] }, { kind: 'isNull', key: 'z' }),
      { kind: 'atLeast', min: 1, children: [{ kind: 'arrayContains', key: 'tags', value: 'x' }] },
    );
    expect(valueKeys(filter)).toEqual([['cat'], ['a', 'b'], ['z'], ['tags']]);
  });

  it("leaves out ranges, text matches and a nested filter's keys (an array's elements)", () => {
    const filter = and(
      { kind: 'range', key: 'price', operator: '<', value: 5 },
      { kind: 'textMatch', key: 't', mode: 'prefix', text: 'x' },
      { kind: 'nested', key: 'items', filter: { kind: 'eq', key: 'sku', value: 'a' } },
    );
    expect(valueKeys(filter)).toEqual([]);
  });
});
