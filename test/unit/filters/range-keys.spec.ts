import { and, not, or } from '../../../src/core/filters/filter-ast';
import { numericRangeKeys } from '../../../src/core/filters/range-keys';

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
