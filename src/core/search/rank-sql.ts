import type { SqlParams } from '../filters/sql-params';
import type { RankNode } from './search.model';

/**
 * A rank expression as one SQL expression over the knn lists' columns, in float8. A knn leaf is
 * its list's column for the row (NULL where the list lacks the record) or its default; every
 * operator propagates NULL, which is exactly Chroma's rule that a record missing from a knn
 * without a default is not scored (rank.rs merges such domains by intersection).
 * Where Postgres would raise an error and Chroma's float arithmetic gives an infinity or NaN
 * (x / 0, ln(0), exp(1000)), the expression gives the same value instead.
 *
 * `leafColumn(i)` names the column of the i-th knn leaf, depth first.
 */
export function rankSql(node: RankNode, params: SqlParams, leafColumn: (index: number) => string): string {
  let leaf = 0;
  const number = (value: number) => params.add(value, 'float8');
  const walk = (n: RankNode): string => {
    switch (n.kind) {
      case 'knn': {
        const column = leafColumn(leaf++);
        return n.default === null ? column : `coalesce(${column}, ${number(n.default)})`;
      }
      case 'value':
        return number(n.value);
      case 'sum':
        return `(${n.terms.map(walk).join(' + ')})`;
      case 'mul':
        return `(${n.terms.map(walk).join(' * ')})`;
      case 'sub':
        return `(${walk(n.left)} - ${walk(n.right)})`;
      case 'div':
        return `(SELECT CASE WHEN y = 0 THEN (CASE WHEN x > 0 THEN 'Infinity' WHEN x < 0 THEN '-Infinity' ELSE 'NaN' END)::float8 ELSE x / y END
                 FROM (SELECT ${walk(n.left)} AS x, ${walk(n.right)} AS y) AS d)`;
      case 'max':
      case 'min':
        // GREATEST and LEAST skip NULLs; a missing operand must keep the record out instead.
        return `(SELECT CASE WHEN bool_or(v IS NULL) THEN NULL ELSE ${n.kind}(v) END FROM unnest(ARRAY[${n.terms
          .map((t) => `(${walk(t)})::float8`)
          .join(', ')}]) AS m(v))`;
      case 'abs':
        return `abs(${walk(n.operand)})`;
      case 'exp':
        return `(SELECT CASE WHEN x = 'NaN' THEN x WHEN x > 709 THEN 'Infinity'::float8 WHEN x < -745 THEN 0::float8 ELSE exp(x) END FROM (SELECT ${walk(
          n.operand,
        )} AS x) AS e)`;
      case 'log':
        return `(SELECT CASE WHEN x = 'NaN' THEN x WHEN x > 0 THEN ln(x) WHEN x = 0 THEN '-Infinity'::float8 ELSE 'NaN'::float8 END FROM (SELECT ${walk(
          n.operand,
        )} AS x) AS l)`;
    }
  };
  return walk(node);
}
