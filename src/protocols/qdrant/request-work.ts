import { isObject, type JsonObject } from '../json-guards';
import { QdrantHttpError } from './qdrant-error';
import {
  MAX_REQUEST_EXAMPLES,
  MAX_REQUEST_RESULTS,
  MAX_REQUEST_SEARCHES,
  MAX_RESULTS,
} from '../../core/search/plan-budget';

/** The default limit of a search or a prefetch that names none, as Qdrant's. */
const DEFAULT_LIMIT = 10;

/** How deep the walk follows prefetches: past the 4 levels a query may nest, so that deeper ones are still counted. */
const WALK_DEPTH = 8;

interface Work {
  searches: number;
  results: number;
  examples: number;
}

const count = (value: unknown): number =>
  Array.isArray(value) ? value.length : value === undefined || value === null ? 0 : 1;

/** A limit or offset as the work it can cost: one search keeps at most MAX_RESULTS, whatever it asks. */
const limitOf = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(value, MAX_RESULTS) : 0;

/** The examples a query (or a legacy recommend / discover body) scores every point it reads against. */
function examplesOf(q: JsonObject): number {
  let n = 0;
  const recommend = isObject(q.recommend) ? q.recommend : 'positive' in q || 'negative' in q ? q : undefined;
  if (recommend) n += count(recommend.positive) + count(recommend.negative);
  const discover = isObject(q.discover) ? q.discover : 'target' in q ? q : undefined;
  if (discover) n += count(discover.target) + 2 * count(discover.context);
  else if ('context' in q) n += 2 * count(q.context);
  return n;
}

/**
 * Refuses a request whose searches together would do too much, before any of them runs: each part
 * has its own bounds (a batch's size, a query's prefetches, a search's limit), but a batch of
 * queries each at those bounds multiplies them (100 searches of 15 prefetches scoring 63 examples
 * over 10,000 points ran for two minutes).
 */
export function checkRequestWork(searches: unknown[]): void {
  const work: Work = { searches: 0, results: 0, examples: 0 };
  const stack: [unknown, number][] = searches.map((s) => [s, 0]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isObject(node) || depth > WALK_DEPTH) continue;
    work.searches++;
    work.results += (limitOf(node.limit) || DEFAULT_LIMIT) + limitOf(node.offset);
    work.examples += examplesOf(node) + (isObject(node.query) ? examplesOf(node.query) : 0);
    const prefetch = node.prefetch;
    for (const p of Array.isArray(prefetch) ? prefetch : prefetch === undefined ? [] : [prefetch])
      stack.push([p, depth + 1]);
    if (
      work.searches > MAX_REQUEST_SEARCHES ||
      work.results > MAX_REQUEST_RESULTS ||
      work.examples > MAX_REQUEST_EXAMPLES
    )
      throw QdrantHttpError.badRequest(
        `a request may run at most ${MAX_REQUEST_SEARCHES} searches (prefetches included), asking for at most ` +
          `${MAX_REQUEST_RESULTS} results and scoring at most ${MAX_REQUEST_EXAMPLES} examples together`,
      );
  }
}
