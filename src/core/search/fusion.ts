/**
 * Fusion of ranked lists into one, as a search plan's combiner (issue 50): each protocol parses
 * its own words for it (Qdrant's `fusion`, `rrf`), the arithmetic is here once. Higher is better
 * in and out; ties go to the smaller id, so that an answer does not depend on the order of a map.
 */

/** One entry of a ranked list: an id and its score (higher is better). */
export interface Ranked {
  id: string;
  score: number;
}

/** How lists are fused: Reciprocal Rank Fusion (with its k and a weight per list) or Distribution-Based Score Fusion. */
export type Fusion = { kind: 'rrf'; k: number; weights: number[] | null } | { kind: 'dbsf' };

/**
 * Reciprocal Rank Fusion: each list adds w / (rank + w (k - 1)) for an entry at 1-based `rank`
 * (1 / (rank + k - 1) at weight 1, Qdrant's form), nothing at weight 0.
 */
function rrf(lists: Ranked[][], k: number, weights: number[] | null): Map<string, number> {
  const totals = new Map<string, number>();
  lists.forEach((list, l) => {
    const w = weights ? weights[l] : 1;
    list.forEach((entry, position) => {
      const add = w <= 0 ? 0 : 1 / ((position + 1) / w + k - 1);
      totals.set(entry.id, (totals.get(entry.id) ?? 0) + add);
    });
  });
  return totals;
}

/**
 * Distribution-Based Score Fusion, as Qdrant's distr_norm: each list's scores mapped over its mean
 * ± 3 sample standard deviations (0 and 1 there; not clamped), a list of one point or of equal
 * scores 0.5 each, then summed.
 */
function dbsf(lists: Ranked[][]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const list of lists) {
    if (list.length === 0) continue;
    const mean = list.reduce((a, s) => a + s.score, 0) / list.length;
    const sd = list.length < 2 ? 0 : Math.sqrt(list.reduce((a, s) => a + (s.score - mean) ** 2, 0) / (list.length - 1));
    const low = mean - 3 * sd;
    const high = mean + 3 * sd;
    for (const s of list) {
      const norm = high === low ? 0.5 : (s.score - low) / (high - low);
      totals.set(s.id, (totals.get(s.id) ?? 0) + norm);
    }
  }
  return totals;
}

/** The lists fused into one, best first. */
export function fuse(lists: Ranked[][], fusion: Fusion): Ranked[] {
  const totals = fusion.kind === 'rrf' ? rrf(lists, fusion.k, fusion.weights) : dbsf(lists);
  return [...totals]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
