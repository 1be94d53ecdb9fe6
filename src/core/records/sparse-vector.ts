import type { SparseText } from './record.model';

/** pgvector's sparsevec holds up to this many dimensions; every stored sparse vector uses all of them. */
export const SPARSE_DIMENSIONS = 1_000_000_000;
/** The most non-zero values pgvector's sparsevec holds. */
export const MAX_SPARSE_NONZERO_STORED = 16_000;
/** The largest float32: sparsevec values are float32. */
export const MAX_FLOAT32 = 3.4028234663852886e38;

/**
 * Checked `(index, value)` pairs (0-based, sorted, unique) as sparsevec text (1-based). An index
 * past pgvector's range is folded into it (i mod 10^9): hashed vocabularies such as Chroma's BM25
 * use all 31 bits. Pairs that fold onto one index are summed, so a dot product is exact except
 * where two of a vector's terms collide, as two terms of a hashed vocabulary already may.
 */
export function sparsevecText(indices: readonly number[], values: readonly number[]): SparseText {
  const folded = new Map<number, number>();
  indices.forEach((index, k) => {
    const at = index % SPARSE_DIMENSIONS;
    folded.set(at, (folded.get(at) ?? 0) + values[k]);
  });
  const pairs = [...folded].filter(([, v]) => Math.fround(v) !== 0).sort((a, b) => a[0] - b[0]);
  return { text: `{${pairs.map(([i, v]) => `${i + 1}:${v}`).join(',')}}/${SPARSE_DIMENSIONS}` };
}

/** sparsevec text as 0-based `{indices, values}`. */
export function sparseFromText(text: string): { indices: number[]; values: number[] } {
  const body = text.slice(1, text.indexOf('}'));
  const indices: number[] = [];
  const values: number[] = [];
  if (body) {
    for (const pair of body.split(',')) {
      const [i, v] = pair.split(':');
      indices.push(Number(i) - 1);
      values.push(Number(v));
    }
  }
  return { indices, values };
}
