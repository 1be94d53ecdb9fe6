import { compileFilter } from '../../../src/core/filters/compile-filter';
import { MAX_KEY_PATH_LEVELS, type FilterNode } from '../../../src/core/filters/filter-ast';
import { SqlParams } from '../../../src/core/filters/sql-params';
import { InvalidArgumentError } from '../../../src/core/errors';

/** `depth` nested filters, each on a key of `parts` parts, around an equality on a key of `parts` parts. */
function nestedChain(depth: number, parts: number): FilterNode {
  const key = Array.from({ length: parts }, (_, i) => `k${i}`);
  let node: FilterNode = { kind: 'eq', key: parts === 1 ? 'k0' : key, value: 1 };
  for (let i = 0; i < depth; i++) node = { kind: 'nested', key: parts === 1 ? 'k0' : key, filter: node };
  return node;
}

const compile = (node: FilterNode) => compileFilter(node, new SqlParams());

describe('compileFilter: key path levels', () => {
  it(`compiles key paths of up to ${MAX_KEY_PATH_LEVELS} levels, a nested filter's array and element counted`, () => {
    expect(compile({ kind: 'range', key: Array(16).fill('a'), operator: '>', value: 1 })).toContain('#>');
    // Three nested filters on one-part keys (two levels each: the array and its element) around a key of 10 parts.
    expect(
      compile({
        kind: 'nested',
        key: 'a',
        filter: {
          kind: 'nested',
          key: 'b',
          filter: { kind: 'nested', key: 'c', filter: { kind: 'exists', key: Array(10).fill('d') } },
        },
      }),
    ).toMatch(/EXISTS/);
    expect(compile(nestedChain(7, 1))).toMatch(/EXISTS/);
  });

  it('refuses a deeper one, whether in one key or through nested filters, before any SQL is written', () => {
    const refusals: FilterNode[] = [
      { kind: 'eq', key: Array(17).fill('a'), value: 1 },
      { kind: 'not', child: { kind: 'textMatch', key: Array(1000).fill('a'), mode: 'contains', text: 'x' } },
      nestedChain(8, 1),
      {
        kind: 'and',
        children: [{ kind: 'all' }, { kind: 'nested', key: Array(15).fill('a'), filter: { kind: 'isNull', key: 'b' } }],
      },
      { kind: 'atLeast', min: 1, children: [nestedChain(3, 4)] },
    ];
    for (const node of refusals) {
      expect(() => compile(node)).toThrow(InvalidArgumentError);
      expect(() => compile(node)).toThrow(/at most 16 levels into the metadata/);
    }
  });
});
