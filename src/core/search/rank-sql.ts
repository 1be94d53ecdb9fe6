import type { SqlParams } from '../filters/sql-params';
import type { RankNode } from './search.model';

/** A compiled operand: its SQL, and whether that SQL is a column or a parameter (cheap to repeat). */
interface Operand {
  sql: string;
  simple: boolean;
}

/**
 * SQL that uses the value of each operand in `names` several times, with every operand written
 * once. A column or a parameter is repeated as is. Anything else is computed in a sub-select that
 * OFFSET 0 keeps the planner from pulling up: pulled up, its expression was copied into every
 * reference, so each level of `$exp` copied the levels below it four times, and seven levels made
 * one backend plan in 2.2 GB (nine: 22 GB, and the kernel killed it).
 */
function usingOnce(operands: Operand[], names: string[], body: (...refs: string[]) => string): string {
  if (operands.every((o) => o.simple)) return `(${body(...operands.map((o) => o.sql))})`;
  const columns = operands.map((o, i) => `${o.sql} AS ${names[i]}`).join(', ');
  return `(SELECT ${body(...names)} FROM (SELECT ${columns} OFFSET 0) AS o)`;
}

/**
 * A rank expression as one SQL expression over the knn lists' columns, in float8. A knn leaf is
 * its list's column for the row (NULL where the list lacks the record) or its default; every
 * operator propagates NULL, which is exactly Chroma's rule that a record missing from a knn
 * without a default is not scored (rank.rs merges such domains by intersection).
 * Where Postgres would raise an error and Chroma's float arithmetic gives an infinity or NaN
 * (x / 0, ln(0), exp(1000)), the expression gives the same value instead.
 * The SQL grows linearly with the expression: each node is written once (see usingOnce).
 *
 * `leafColumn(i)` names the column of the i-th knn leaf, depth first.
 */
export function rankSql(node: RankNode, params: SqlParams, leafColumn: (index: number) => string): string {
  let leaf = 0;
  const number = (value: number) => params.add(value, 'float8');
  const walk = (n: RankNode): Operand => {
    switch (n.kind) {
      case 'knn': {
        const column = leafColumn(leaf++);
        return { sql: n.default === null ? column : `coalesce(${column}, ${number(n.default)})`, simple: true };
      }
      case 'value':
        return { sql: number(n.value), simple: true };
      case 'sum':
        return { sql: `(${n.terms.map((t) => walk(t).sql).join(' + ')})`, simple: false };
      case 'mul':
        return { sql: `(${n.terms.map((t) => walk(t).sql).join(' * ')})`, simple: false };
      case 'sub':
        return { sql: `(${walk(n.left).sql} - ${walk(n.right).sql})`, simple: false };
      case 'div':
        return {
          sql: usingOnce(
            [walk(n.left), walk(n.right)],
            ['x', 'y'],
            (x, y) =>
              `CASE WHEN ${y} = 0 THEN (CASE WHEN ${x} > 0 THEN 'Infinity' WHEN ${x} < 0 THEN '-Infinity' ELSE 'NaN' END)::float8 ELSE ${x} / ${y} END`,
          ),
          simple: false,
        };
      case 'max':
      case 'min':
        // GREATEST and LEAST skip NULLs; a missing operand must keep the record out instead.
        return {
          sql: `(SELECT CASE WHEN bool_or(v IS NULL) THEN NULL ELSE ${n.kind}(v) END FROM unnest(ARRAY[${n.terms
            .map((t) => `(${walk(t).sql})::float8`)
            .join(', ')}]) AS m(v))`,
          simple: false,
        };
      case 'abs':
        return { sql: `abs(${walk(n.operand).sql})`, simple: false };
      case 'exp':
        return {
          sql: usingOnce(
            [walk(n.operand)],
            ['x'],
            (x) =>
              `CASE WHEN ${x} = 'NaN' THEN ${x} WHEN ${x} > 709 THEN 'Infinity'::float8 WHEN ${x} < -745 THEN 0::float8 ELSE exp(${x}) END`,
          ),
          simple: false,
        };
      case 'log':
        return {
          sql: usingOnce(
            [walk(n.operand)],
            ['x'],
            (x) =>
              `CASE WHEN ${x} = 'NaN' THEN ${x} WHEN ${x} > 0 THEN ln(${x}) WHEN ${x} = 0 THEN '-Infinity'::float8 ELSE 'NaN'::float8 END`,
          ),
          simple: false,
        };
    }
  };
  return walk(node).sql;
}
