import { SqlParams } from '../../../src/core/filters/sql-params';
import { rankSql } from '../../../src/core/search/rank-sql';
import type { RankNode } from '../../../src/core/search/search.model';

const knn: RankNode = {
  kind: 'knn',
  query: { sparse: { text: '{1:1}/2' } },
  limit: 10,
  default: null,
  returnRank: false,
};
const value = (v: number): RankNode => ({ kind: 'value', value: v });

/** A chain of `depth` nodes made by `wrap`, around one knn. */
function chain(depth: number, wrap: (n: RankNode) => RankNode): RankNode {
  let node = knn;
  for (let i = 0; i < depth; i++) node = wrap(node);
  return node;
}

const sqlOf = (node: RankNode) => rankSql(node, new SqlParams(), () => 'k0.m');

describe('rankSql', () => {
  const wrappers: [string, (n: RankNode) => RankNode][] = [
    ['exp', (n) => ({ kind: 'exp', operand: n })],
    ['log', (n) => ({ kind: 'log', operand: n })],
    ['div on the left', (n) => ({ kind: 'div', left: n, right: value(2) })],
    ['div on the right', (n) => ({ kind: 'div', left: value(2), right: n })],
    ['max', (n) => ({ kind: 'max', terms: [n, value(0)] })],
    ['sum', (n) => ({ kind: 'sum', terms: [n, value(0)] })],
  ];

  it.each(wrappers)('writes each operand of %s once: the SQL grows linearly with the nesting', (_, wrap) => {
    // Repeating an operand's SQL in each reference made it grow fourfold a level (4^9 copies at depth 9).
    const perLevel = sqlOf(chain(2, wrap)).length - sqlOf(chain(1, wrap)).length;
    expect(sqlOf(chain(100, wrap)).length - sqlOf(chain(1, wrap)).length).toBeLessThanOrEqual(99 * perLevel + 99 * 4);
  });

  it('repeats only columns and parameters, and computes anything else once in a sub-select the planner keeps', () => {
    expect(sqlOf({ kind: 'exp', operand: knn })).not.toContain('SELECT');
    const nested = sqlOf({ kind: 'exp', operand: { kind: 'exp', operand: knn } });
    expect(nested.match(/OFFSET 0/g)).toHaveLength(1);
    expect(nested.match(/k0\.m/g)).toHaveLength(5);
  });
});
