import { InvalidArgumentError } from '../../../src/core/errors';
import { DenseVector } from '../../../src/core/records/dense-vector';
import type { PlanNode } from '../../../src/core/search/plan';
import {
  checkPlan,
  MAX_DEPTH,
  MAX_EXAMPLES,
  MAX_INPUTS,
  MAX_MMR_CANDIDATES,
  MAX_RESULTS,
  MAX_SEARCHES,
} from '../../../src/core/search/plan-budget';

const vector = DenseVector.fromNumbers([1, 0]);
const search = (inputs: PlanNode[] = [], more: Partial<PlanNode> = {}): PlanNode =>
  ({
    kind: 'search',
    retriever: { kind: 'dense', vector },
    filter: { kind: 'all' },
    mmr: null,
    inputs,
    limit: 10,
    offset: 0,
    threshold: null,
    ...more,
  }) as PlanNode;
const fuse = (inputs: PlanNode[]): PlanNode => ({
  kind: 'fuse',
  fusion: { kind: 'rrf', k: 2, weights: null },
  inputs,
  limit: 10,
  offset: 0,
  threshold: null,
});
/** A chain of `levels` nodes, each the only input of the one above. */
const chain = (levels: number): PlanNode => (levels === 1 ? search() : search([chain(levels - 1)]));
const refused = (plan: PlanNode, words: RegExp) => {
  expect(() => checkPlan(plan)).toThrow(InvalidArgumentError);
  expect(() => checkPlan(plan)).toThrow(words);
};

describe('checkPlan: one budget for every protocol’s search plan', () => {
  it('takes a plan at each bound', () => {
    expect(() => checkPlan(chain(MAX_DEPTH + 1))).not.toThrow();
    // Qdrant's most: 16 prefetches, and a search over them.
    expect(() => checkPlan(search(Array.from({ length: MAX_SEARCHES }, () => search())))).not.toThrow();
    expect(() => checkPlan(search([], { limit: MAX_RESULTS - 5, offset: 5 }))).not.toThrow();
    const examples = {
      kind: 'scoredBy',
      vectors: Array(MAX_EXAMPLES).fill(vector),
      score: { kind: 'value', value: 0 },
    };
    expect(() => checkPlan(search([], { retriever: examples } as Partial<PlanNode>))).not.toThrow();
    const mmr = { diversity: 0.5, candidates: MAX_MMR_CANDIDATES };
    expect(() => checkPlan(search([], { mmr } as Partial<PlanNode>))).not.toThrow();
  });

  it('refuses one past each bound, at any depth', () => {
    refused(chain(MAX_DEPTH + 2), /nest at most 4 deep/);
    refused(fuse(Array.from({ length: MAX_INPUTS + 1 }, () => search())), /at most 16 inputs/);
    // 16 inputs of 2 searches each: each level within bounds, the plan past them.
    refused(
      fuse(Array.from({ length: MAX_INPUTS }, () => search([search()]))),
      /at most 16 searches below its top one/,
    );
    refused(search([search([], { limit: MAX_RESULTS, offset: 1 })]), /limit \+ offset may be at most 10000/);
    const examples = {
      kind: 'scoredBy',
      vectors: Array(MAX_EXAMPLES + 1).fill(vector),
      score: { kind: 'value', value: 0 },
    };
    refused(fuse([search([], { retriever: examples } as Partial<PlanNode>)]), /at most 64 examples/);
    const mmr = { diversity: 0.5, candidates: MAX_MMR_CANDIDATES + 1 };
    refused(search([], { mmr } as Partial<PlanNode>), /at most 1000 candidates/);
  });
});
