import { InvalidArgumentError } from '../errors';
import type { PlanNode } from './plan';

/**
 * One budget for every search plan, whatever protocol it came in by (docs/decisions/0009-one-search-plan.md):
 * a limit an attacker finds is raised or lowered here once. Protocols check a request against
 * these numbers while parsing it, in their own words (Qdrant's `Bad request: ...`, Chroma's
 * InvalidArgumentError); `checkPlan` checks a whole plan again before the core runs any of it.
 */

/** The most points one search keeps (limit + offset): a Qdrant search or prefetch, a Chroma $knn list. */
export const MAX_RESULTS = 10_000;
/**
 * The most nodes one plan holds below its top, at any depth (Qdrant's prefetches), and the most
 * lists one rank expression combines (Chroma's $knn).
 */
export const MAX_SEARCHES = 16;
/** The most inputs a node lists (Qdrant's prefetches at one level). */
export const MAX_INPUTS = 16;
/** How deep inputs may nest below the top node (Qdrant's prefetches in prefetches). */
export const MAX_DEPTH = 4;
/** Examples one scored-by search may hold (recommend, discover, context): each a similarity computed per point read. */
export const MAX_EXAMPLES = 64;
/** Context pairs one discover or context query may hold (a discover's target is one more example). */
export const MAX_CONTEXT_PAIRS = Math.floor((MAX_EXAMPLES - 1) / 2);
/** The most candidates MMR weighs, each against each point it chose. */
export const MAX_MMR_CANDIDATES = 1_000;

/** One request may carry many plans (a batch): the most searches, results and examples of all of them together. */
export const MAX_REQUEST_SEARCHES = 1_024;
export const MAX_REQUEST_RESULTS = 100_000;
export const MAX_REQUEST_EXAMPLES = 1_024;

/** A plan past the budget: refused before any of it runs. */
export function checkPlan(top: PlanNode): void {
  let below = 0;
  const visit = (node: PlanNode, depth: number): void => {
    if (depth > MAX_DEPTH) throw new InvalidArgumentError(`search inputs may nest at most ${MAX_DEPTH} deep`);
    if (node.inputs.length > MAX_INPUTS)
      throw new InvalidArgumentError(`a search may list at most ${MAX_INPUTS} inputs`);
    if (node.limit + node.offset > MAX_RESULTS)
      throw new InvalidArgumentError(`limit + offset may be at most ${MAX_RESULTS}`);
    if (depth > 0 && ++below > MAX_SEARCHES)
      throw new InvalidArgumentError(`a search plan may run at most ${MAX_SEARCHES} searches below its top one`);
    if (node.kind === 'search') {
      if (node.retriever.kind === 'scoredBy' && node.retriever.vectors.length > MAX_EXAMPLES)
        throw new InvalidArgumentError(`a search may score by at most ${MAX_EXAMPLES} examples`);
      if (node.retriever.kind === 'multiScoredBy' && node.retriever.examples.length > MAX_EXAMPLES)
        throw new InvalidArgumentError(`a search may score by at most ${MAX_EXAMPLES} examples`);
      if (node.mmr !== null && Math.max(node.mmr.candidates, node.limit + node.offset) > MAX_MMR_CANDIDATES)
        throw new InvalidArgumentError(`mmr weighs at most ${MAX_MMR_CANDIDATES} candidates`);
    }
    for (const input of node.inputs) visit(input, depth + 1);
  };
  visit(top, 0);
}
