import type { FilterNode } from '../filters/filter-ast';
import type { DenseVector } from '../records/dense-vector';
import type { StoredRecord } from '../records/record.model';
import type { OrderBy } from '../records/records.repository';
import type { TextQuery } from '../text/text-query';
import type { Fusion } from './fusion';
import type { ScoreNode } from './similarity-score';

/**
 * A search plan (docs/decisions/0009-one-search-plan.md): what a protocol's request asks, parsed
 * whole and with every point it refers to already read, so that the core runs it as one tree.
 * Retrievers are its leaves' queries; a search node retrieves, a fuse node combines its inputs.
 */

/** What one search reads the collection by, through its default vector or the named one `using`. */
export type Retriever =
  | { kind: 'dense'; vector: DenseVector; using?: string }
  /**
   * Sparse, in its stored text form; `idf`: weighted by inverse document frequency (Qdrant's
   * `modifier: idf`). With `dense`, hybrid: each point scored by the sum of both inner products
   * (Pinecone's dotproduct indexes). `unmatched`: points that share no term (score 0) are kept too,
   * as Pinecone answers; Qdrant's sparse search leaves them out.
   */
  | {
      kind: 'sparse';
      text: string;
      using?: string;
      idf: boolean;
      /** With `idf`: the records whose statistics weigh the terms (Qdrant's IDF corpus); all by default. */
      idfCorpus?: FilterNode;
      dense?: DenseVector;
      unmatched?: boolean;
    }
  /**
   * MaxSim over the multivector `using` names (multivector.ts): the query's tokens against each
   * point's. `exact` reads every point's tokens; `candidates`: each query token's nearest tokens
   * the index walk keeps (DEFAULT_MULTIVECTOR_CANDIDATES unless given).
   */
  | { kind: 'multi'; tokens: DenseVector[]; using: string; exact?: boolean; candidates?: number }
  /** Each point scored over its similarities to several vectors (recommend, discover, context). */
  | { kind: 'scoredBy'; vectors: DenseVector[]; score: ScoreNode; using?: string }
  /**
   * Each point holding the multivector `using` scored over its MaxSim to several example
   * multivectors (recommend, discover, context through a multivector), as `scoredBy` over similarities.
   */
  | { kind: 'multiScoredBy'; examples: DenseVector[][]; score: ScoreNode; using: string }
  /** Full-text: points matching the query, scored by BM25 over the collection's text fields. */
  | { kind: 'text'; query: TextQuery }
  /** Filter only, each point scored 0: in id order (`scroll`), drawn at random (`sample`), or by a payload key (`ordered`). */
  | { kind: 'scroll' }
  | { kind: 'sample' }
  | { kind: 'ordered'; orderBy: OrderBy };

/** Maximal Marginal Relevance over a dense search: how much diversity weighs, among how many nearest points. */
export interface MmrSettings {
  diversity: number;
  candidates: number;
}

/** What a node keeps: its best `limit` after `offset`, those past `threshold` only (null: all). */
export interface PlanWindow {
  limit: number;
  offset: number;
  threshold: number | null;
  /**
   * The request asked for more than the budget's limit (MAX_RESULTS), cut to it: the node's list
   * is refused if it fills the limit, since then it may not hold every point asked for. A list
   * that does not fill it holds them all, as the larger limit would have.
   */
  whole?: boolean;
}

export type PlanNode =
  /**
   * One search. With inputs, it scores their points only (Qdrant's query over prefetches); with
   * `mmr`, it picks among its nearest candidates by MMR, each keeping its query score.
   */
  | ({
      kind: 'search';
      retriever: Retriever;
      filter: FilterNode;
      mmr: MmrSettings | null;
      inputs: PlanNode[];
    } & PlanWindow)
  /** Its inputs' lists fused into one (RRF, DBSF). */
  | ({ kind: 'fuse'; fusion: Fusion; inputs: PlanNode[] } & PlanWindow)
  /**
   * Its one input's points scored again by a reranking model (reranker.ts) against `query`, each
   * point's text taken from its `rankFields` metadata: the model's score replaces the search's.
   */
  | ({ kind: 'rerank'; model: string; query: string; rankFields: string[]; inputs: [PlanNode] } & PlanWindow);

/**
 * A point of a node's answer. `score` is a similarity where the metric has one (cosine: 1 −
 * distance, inner product: its negation), the distance otherwise (l2, l1: smaller is better; a
 * multivector's as maxSimScore reports it), and
 * higher-is-better for sparse, scored-by and fused lists; an `ordered` point's is its numeric order
 * value (else 0), other filter-only points score 0. `record` holds the columns asked for.
 */
export interface Scored {
  id: string;
  score: number;
  record?: StoredRecord;
  /** An `ordered` retriever's points: the value each was ordered by. */
  orderValue?: unknown;
}
