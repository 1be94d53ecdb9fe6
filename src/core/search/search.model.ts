import type { FilterNode } from '../filters/filter-ast';
import type { DenseVector } from '../records/dense-vector';
import type { SparseText, StoredRecord } from '../records/record.model';

/**
 * A rank expression (Chroma's Search API): `knn` leaves score the records they find, the rest
 * combine scores. Lower is better. A knn without a default keeps out every record it did not find;
 * with one, such a record gets the default (the rules of Chroma's rank operator, rank.rs).
 */
export type RankNode =
  | {
      kind: 'knn';
      /** A dense query searches the records' embeddings, a sparse one their sparse vectors. */
      query: { dense: DenseVector } | { sparse: SparseText };
      limit: number;
      default: number | null;
      /** Score by position in the knn's list (0 first) instead of by distance. */
      returnRank: boolean;
    }
  | { kind: 'value'; value: number }
  | { kind: 'sum' | 'mul' | 'max' | 'min'; terms: RankNode[] }
  | { kind: 'sub' | 'div'; left: RankNode; right: RankNode }
  | { kind: 'abs' | 'exp' | 'log'; operand: RankNode };

/** What a group's records are ordered by: their score or a metadata key. */
export type GroupOrderKey = { score: true } | { metadata: string };

/** Keep the k best of each group of records that share the values of `keys`: least (min) or greatest (max) first. */
export interface GroupBy {
  keys: string[];
  aggregate: 'min' | 'max';
  orderBy: GroupOrderKey[];
  k: number;
}

export interface SearchColumns {
  documents: boolean;
  embeddings: boolean;
  metadatas: boolean;
  /** The sparse vector column (to show it as the metadata value it came from). */
  sparse: boolean;
}

/** One search: the records the filter keeps, scored by `rank` (none: insertion order), grouped, paged. */
export interface HybridSearch {
  filter: FilterNode;
  rank: RankNode | null;
  groupBy: GroupBy | null;
  limit: number | null;
  offset: number;
  columns: SearchColumns;
}

export interface ScoredRecord extends StoredRecord {
  /** Null without a rank expression. */
  score: number | null;
}

/** The direct operands of a rank node. */
function operands(node: RankNode): RankNode[] {
  switch (node.kind) {
    case 'knn':
    case 'value':
      return [];
    case 'sum':
    case 'mul':
    case 'max':
    case 'min':
      return node.terms;
    case 'sub':
    case 'div':
      return [node.left, node.right];
    default:
      return [node.operand];
  }
}

/**
 * How many nodes an expression holds and how deep it nests (a lone leaf is depth 1), counted
 * without recursion and stopping once past `most` nodes: the bounds are checked on this before
 * anything recursive walks the expression.
 */
export function rankShape(node: RankNode, most = Infinity): { nodes: number; depth: number } {
  let nodes = 0;
  let depth = 0;
  const stack: [RankNode, number][] = [[node, 1]];
  while (stack.length > 0 && nodes <= most) {
    const [n, d] = stack.pop()!;
    nodes++;
    depth = Math.max(depth, d);
    for (const o of operands(n)) stack.push([o, d + 1]);
  }
  return { nodes, depth };
}

/** Every knn leaf of an expression, depth first (the order their lists are computed in). */
export function knnLeaves(node: RankNode): Extract<RankNode, { kind: 'knn' }>[] {
  return node.kind === 'knn' ? [node] : operands(node).flatMap(knnLeaves);
}
