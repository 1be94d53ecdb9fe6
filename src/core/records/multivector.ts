import type { Metric } from '../collections/collection.model';
import { HNSW_LIMITS } from '../collections/vector-index';
import { InvalidArgumentError } from '../errors';
import type { DenseVector } from './dense-vector';

/**
 * The most token vectors one record's multivector may hold, and one query's: a query's tokens are
 * each a walk of the token index (or a pass over every token, exactly), and a record's are read
 * whole by every exact MaxSim over it. ColBERT-style models give 32 query tokens and up to a few
 * hundred document tokens.
 */
export const MAX_TOKENS_PER_RECORD = 1024;
export const MAX_QUERY_TOKENS = 256;
/** The most values (tokens × dimension) one multivector may hold: 4 MB as float32. */
export const MAX_MULTIVECTOR_VALUES = 1 << 20;

/**
 * How many nearest tokens each query token's walk of the token index returns (its depth: the walk's
 * ef_search) in an indexed MaxSim search. The walks bound the MaxSim of the records their tokens
 * belong to; the records with the highest bound are then scored exactly. Measured in
 * docs/benchmarks.md (Multivectors).
 */
export const DEFAULT_MULTIVECTOR_CANDIDATES = 100;
/**
 * How many records an indexed MaxSim search scores exactly first, over all their tokens: this many
 * per result asked for, at least MULTIVECTOR_RESCORED_LEAST, those whose bound from the walks is
 * highest (then any other walked record whose bound reaches the n-th best score; records.repository).
 */
export const MULTIVECTOR_RESCORED_PER_RESULT = 20;
export const MULTIVECTOR_RESCORED_LEAST = 200;
export const MAX_MULTIVECTOR_CANDIDATES = 1000;

/**
 * How an indexed MaxSim search for n results runs at a depth: the walks' `hnsw.ef_search` (as deep
 * as the tokens each returns: a deeper one costs time the bounds do not need) and how many records
 * are rescored first. One place for searches (RecordsService.maxSim) and the search tuner's
 * measurement of the depth, so that what is measured is what runs.
 */
export function indexedMaxSimPlan(depth: number, n: number): { efSearch: number; rescored: number } {
  return {
    efSearch: Math.min(HNSW_LIMITS.efSearch.max, depth),
    rescored: Math.max(n * MULTIVECTOR_RESCORED_PER_RESULT, MULTIVECTOR_RESCORED_LEAST),
  };
}
/**
 * Up to this many records holding the vector, MaxSim is exact over all their tokens: cheaper than
 * walking the index once per query token.
 */
export const MULTIVECTOR_EXACT_BELOW = 1000;

/**
 * A multivector (Qdrant's multivector_config, ColBERT's late interaction): token vectors of the
 * vector's dimension, in order, at least one.
 */
export class MultiVector {
  private constructor(readonly tokens: readonly DenseVector[]) {}

  static of(tokens: readonly DenseVector[], what: string, most = MAX_TOKENS_PER_RECORD): MultiVector {
    if (tokens.length === 0) throw new InvalidArgumentError(`${what} holds no token vector`);
    if (tokens.length > most)
      throw new InvalidArgumentError(`${what} holds ${tokens.length} token vectors; at most ${most} are taken`);
    const dimension = tokens[0].dimension;
    for (const t of tokens)
      if (t.dimension !== dimension)
        throw new InvalidArgumentError(`${what}: its token vectors must all have the same dimension`);
    if (tokens.length * dimension > MAX_MULTIVECTOR_VALUES)
      throw new InvalidArgumentError(
        `${what} holds ${tokens.length * dimension} values; a multivector holds at most ${MAX_MULTIVECTOR_VALUES}`,
      );
    return new MultiVector(tokens);
  }

  get dimension(): number {
    return this.tokens[0].dimension;
  }

  /** The largest magnitude among its values. */
  maxAbs(): number {
    let most = 0;
    for (const t of this.tokens) most = Math.max(most, t.maxAbs());
    return most;
  }

  /** Postgres's array text form of pgvector values (`{"[1,2]","[3,4]"}`): how a write sends it. */
  toArrayText(): string {
    return `{${this.tokens.map((t) => `"[${Array.from(t.values).join(',')}]"`).join(',')}}`;
  }
}

/**
 * The SQL of one token pair's similarity from pgvector's operator value `raw`, as Qdrant's metrics
 * define it (higher is better): the dot product, cosine similarity, the negated squared Euclidean
 * distance, the negated Manhattan distance.
 */
export function tokenSimilaritySql(metric: Metric, raw: string): string {
  if (metric === 'cosine') return `(1 - (${raw}))`;
  if (metric === 'l2') return `(-((${raw}) ^ 2))`;
  return `(-(${raw}))`;
}

/**
 * The plan's score (plan.ts) of a MaxSim sum of similarities: the sum for cosine and the dot
 * product; for Euclid and Manhattan the distance Qdrant reports for it (its score post-processed:
 * the square root of the summed squares, the summed distances), smaller being better.
 */
export function maxSimScore(metric: Metric, sum: number): number {
  const score = metric === 'l2' ? Math.sqrt(Math.abs(sum)) : metric === 'l1' ? Math.abs(sum) : sum;
  return shortestFloat32(score);
}

/**
 * A score as float32 arithmetic gives it (the tokens are float32), written with the fewest digits
 * that still name that float32: 4.358899, not 4.358898943540674.
 */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const f = Math.fround(x);
  for (let digits = 1; digits < 10; digits++) {
    const shorter = Number(f.toPrecision(digits));
    if (Math.fround(shorter) === f) return shorter;
  }
  return f;
}
