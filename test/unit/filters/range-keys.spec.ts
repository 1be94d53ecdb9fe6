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

  it('finds the keys of emptiness tests, counts of values, text matches, string ranges and nested filters', () => {
    const filter = and(
      { kind: 'isEmpty', key: 'a' },
      not({ kind: 'valuesCount', key: 'b', operator: '>=', count: 2 }),
      { kind: 'textMatch', key: 't', mode: 'prefix', text: 'x' },
      { kind: 'range', key: 'created_at', operator: '<', value: '2024-01-01' },
      { kind: 'nested', key: ['o', 'items'], filter: { kind: 'eq', key: 'sku', value: 'a' } },
    );
    expect(valueKeys(filter)).toEqual([['a'], ['b'], ['t'], ['created_at'], ['o', 'items']]);
  });

  it("leaves out numeric ranges and a nested filter's own keys (an array's elements')", () => {
    const filter = and(
      { kind: 'range', key: 'price', operator: '<', value: 5 },
      { kind: 'nested', key: 'items', filter: { kind: 'range', key: 'sku', operator: '>', value: 1 } },
    );
    expect(valueKeys(filter)).toEqual([['items']]);
  });
});
