import type { Metric } from '../collections/collection.model';

/**
 * A score computed from a record's similarities to a few query vectors (Qdrant's discover,
 * context and recommend strategies): higher is better. A similarity is higher for closer vectors:
 * cosine similarity, the dot product, and the negated Euclidean or Manhattan distance.
 */
export type ScoreNode =
  /** The record's similarity to query vector `vector` (an index into the query's vectors). */
  | { kind: 'similarity'; vector: number }
  | { kind: 'value'; value: number }
  | { kind: 'sum' | 'max' | 'min'; terms: ScoreNode[] }
  | { kind: 'sub'; left: ScoreNode; right: ScoreNode }
  /** `factor` times the operand (a finite number: Qdrant's relevance feedback weights). */
  | { kind: 'scale'; factor: number; operand: ScoreNode }
  /** x / (1 + |x|): a sigmoid without an exponent, as Qdrant's fast_sigmoid; `scaled` maps it to (0, 1). */
  | { kind: 'sigmoid'; operand: ScoreNode; scaled?: boolean }
  /** −1, 0 or 1 as left is less than, equal to or greater than right. */
  | { kind: 'compare'; left: ScoreNode; right: ScoreNode }
  /** `then` where left > right, else `otherwise`. */
  | { kind: 'ifGreater'; left: ScoreNode; right: ScoreNode; then: ScoreNode; otherwise: ScoreNode };

/** The most nodes and query vectors one score may hold: each similarity is computed once per record read. */
export const MAX_SCORE_NODES = 1000;
export const MAX_SCORE_VECTORS = 64;

/** The SQL of a similarity from pgvector's operator value `raw` (`<=>`, `<#>`, `<->` or `<+>`). */
export function similaritySql(metric: Metric, raw: string): string {
  return metric === 'cosine' ? `(1 - (${raw}))` : `(-(${raw}))`;
}

/**
 * The SQL of a score over the columns `s1`, `s2`, ... holding the similarities to the query
 * vectors. Numbers are spliced as float8 literals of finite numbers only; the tree's size is
 * checked first (countNodes), so the recursion is bounded.
 */
export function scoreSql(node: ScoreNode): string {
  switch (node.kind) {
    case 'similarity':
      if (!Number.isInteger(node.vector) || node.vector < 0 || node.vector >= MAX_SCORE_VECTORS)
        throw new Error(`bad query vector ${node.vector}`);
      return `s${node.vector + 1}`;
    case 'value':
      if (!Number.isFinite(node.value)) throw new Error(`not a finite number: ${node.value}`);
      return `(${node.value}::float8)`;
    case 'sum':
      return node.terms.length === 0 ? '(0::float8)' : `(${node.terms.map(scoreSql).join(' + ')})`;
    case 'max':
    case 'min':
      if (node.terms.length === 0) throw new Error(`${node.kind} of nothing`);
      return `${node.kind === 'max' ? 'greatest' : 'least'}(${node.terms.map(scoreSql).join(', ')})`;
    case 'sub':
      return `(${scoreSql(node.left)} - ${scoreSql(node.right)})`;
    case 'scale':
      if (!Number.isFinite(node.factor)) throw new Error(`not a finite number: ${node.factor}`);
      return `((${node.factor}::float8) * ${scoreSql(node.operand)})`;
    case 'sigmoid': {
      const x = scoreSql(node.operand);
      return node.scaled ? `(0.5 * (${x} / (1 + abs(${x})) + 1))` : `(${x} / (1 + abs(${x})))`;
    }
    case 'compare':
      return `sign(${scoreSql(node.left)} - ${scoreSql(node.right)})`;
    case 'ifGreater':
      return `(CASE WHEN ${scoreSql(node.left)} > ${scoreSql(node.right)} THEN ${scoreSql(node.then)} ELSE ${scoreSql(node.otherwise)} END)`;
  }
}

/** How many nodes a score holds, counted without recursion, stopping once past `most`. */
export function countNodes(node: ScoreNode, most = MAX_SCORE_NODES): number {
  let n = 0;
  const stack: ScoreNode[] = [node];
  while (stack.length > 0 && n <= most) {
    const x = stack.pop()!;
    n++;
    if (x.kind === 'sum' || x.kind === 'max' || x.kind === 'min') stack.push(...x.terms);
    else if (x.kind === 'sub' || x.kind === 'compare') stack.push(x.left, x.right);
    else if (x.kind === 'sigmoid' || x.kind === 'scale') stack.push(x.operand);
    else if (x.kind === 'ifGreater') stack.push(x.left, x.right, x.then, x.otherwise);
  }
  return n;
}
