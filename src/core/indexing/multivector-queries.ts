import { euclidean, gaussian } from './query-geometry';

/**
 * The queries a multivector's measurement makes from sampled records (each a list of token
 * vectors), as the dense tuner makes its own from sampled vectors (search-tuner.ts): half near a
 * record, half between two. A query is at most QUERY_TOKENS tokens, as ColBERT's queries are.
 *
 * - near: tokens of one record, each moved in a random direction by half its distance to the
 *   nearest other token of that record (of another record when it holds one token), so that it is
 *   none of the stored tokens, which the index links to directly;
 * - between: half the tokens from one record and half from another, moved the same way: a question
 *   touching two passages, whose best points are not those of either alone.
 */
export const QUERY_TOKENS = 32;

export type TokenList = number[][];

export function multivectorQueries(
  sample: TokenList[],
  random: () => number = Math.random,
): { tokens: TokenList; kind: 'near' | 'between' }[] {
  if (sample.length === 0) return [];
  const half = sample.length < 2 ? sample.length : Math.ceil(sample.length / 2);
  const near = sample.slice(0, half).map((record, i) => ({
    tokens: moved(pick(record, QUERY_TOKENS, random), record, sample[(i + 1) % sample.length], random),
    kind: 'near' as const,
  }));
  const between = sample.slice(half).map((record, i) => {
    const other = sample[(half + i + 1 + Math.floor(random() * (sample.length - 1))) % sample.length];
    const mine = pick(record, Math.ceil(QUERY_TOKENS / 2), random);
    const theirs = pick(other, Math.floor(QUERY_TOKENS / 2), random);
    return {
      tokens: [...moved(mine, record, other, random), ...moved(theirs, other, record, random)],
      kind: 'between' as const,
    };
  });
  return [...near, ...between];
}

/** At most `n` of the tokens, in their order, drawn at random when there are more. */
function pick(tokens: TokenList, n: number, random: () => number): TokenList {
  if (tokens.length <= n) return tokens;
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(Math.floor(random() * tokens.length));
  return [...chosen].sort((a, b) => a - b).map((i) => tokens[i]);
}

/** Each token moved off itself by half its distance to the nearest other token of its record (or of `other`). */
function moved(tokens: TokenList, record: TokenList, other: TokenList, random: () => number): TokenList {
  return tokens.map((t) => {
    let nearest = Infinity;
    for (const u of record) if (u !== t) nearest = Math.min(nearest, euclidean(t, u));
    if (!Number.isFinite(nearest) || nearest === 0)
      for (const u of other) if (u !== t) nearest = Math.min(nearest, euclidean(t, u));
    const step = Number.isFinite(nearest) ? nearest / 2 : 0;
    const direction = t.map(() => gaussian(random));
    const norm = Math.hypot(...direction) || 1;
    return t.map((x, k) => x + (direction[k] / norm) * step);
  });
}
