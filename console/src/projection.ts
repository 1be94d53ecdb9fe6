// PCA to two dimensions in the browser. ml-pca's SVD does the decomposition; for wide vectors
// (hundreds of dimensions) a full SVD, or ml-pca's NIPALS (a fixed 1e-10 tolerance and up to 1000
// passes over the data per component), takes many seconds, so the data is first projected onto
// the subspace its top components span, found by randomized subspace iteration (Halko, Martinsson
// & Tropp 2011): a few passes of X·(Xᵀ·V). The PCA of those scores is the PCA of the data to
// within that subspace's accuracy, in a fraction of a second for 2,000 × 1,536.
import { PCA } from 'ml-pca';

export interface Projected {
  xy: [number, number][];
  /** The share of the total variance each of the two axes holds. */
  explained: [number, number] | null;
}

/** Up to this dimension the SVD runs on the vectors themselves. */
const DIRECT_MAX = 64;
const SUBSPACE = 12;
const ITERATIONS = 6;

export function project(vectors: number[][]): Projected {
  const n = vectors.length;
  const d = vectors[0]?.length ?? 0;
  if (n === 0) return { xy: [], explained: null };
  if (n < 3 || d < 2) return { xy: vectors.map((v) => [v[0] ?? 0, v[1] ?? 0]), explained: null };

  const { centred, totalVariance } = centre(vectors, n, d);
  const input = d <= DIRECT_MAX ? vectors : subspaceScores(centred, n, d, Math.min(SUBSPACE, d), ITERATIONS);
  const pca = new PCA(input, { center: true, scale: false });
  const eigenvalues = pca.getEigenvalues();
  // The first two loadings (components × features) project each row.
  const loadings = pca.getLoadings().to2DArray();
  const means = input === vectors ? meanOf(vectors, d) : new Array<number>(input[0].length).fill(0);
  const xy = input.map((row): [number, number] => [dot(row, loadings[0], means), dot(row, loadings[1] ?? [], means)]);
  const explained: [number, number] | null =
    totalVariance > 0 ? [(eigenvalues[0] ?? 0) / totalVariance, (eigenvalues[1] ?? 0) / totalVariance] : null;
  return { xy, explained };
}

function dot(row: number[], loading: number[], means: number[]): number {
  let sum = 0;
  for (let j = 0; j < loading.length; j++) sum += (row[j] - means[j]) * loading[j];
  return Number.isFinite(sum) ? sum : 0;
}

function meanOf(vectors: number[][], d: number): number[] {
  const mean = new Array<number>(d).fill(0);
  for (const v of vectors) for (let j = 0; j < d; j++) mean[j] += v[j];
  return mean.map((m) => m / vectors.length);
}

/** The centred data (row-major) and its total variance (the sum of the columns' variances). */
function centre(vectors: number[][], n: number, d: number): { centred: Float64Array; totalVariance: number } {
  const mean = meanOf(vectors, d);
  const centred = new Float64Array(n * d);
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const v = vectors[i];
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const x = v[j] - mean[j];
      centred[o + j] = x;
      squares += x * x;
    }
  }
  return { centred, totalVariance: squares / (n - 1) };
}

/** Scores of the centred rows on an orthonormal basis of their top-k principal subspace. */
function subspaceScores(x: Float64Array, n: number, d: number, k: number, iterations: number): number[][] {
  const random = mulberry32(0x5eed);
  let basis = Array.from({ length: k }, () => Float64Array.from({ length: d }, () => random() - 0.5));
  orthonormalize(basis);
  for (let it = 0; it < iterations; it++) {
    const y = times(x, n, d, basis);
    basis = y.map((column) => {
      const next = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const yi = column[i];
        if (yi === 0) continue;
        const o = i * d;
        for (let j = 0; j < d; j++) next[j] += x[o + j] * yi;
      }
      return next;
    });
    orthonormalize(basis);
  }
  const scores = times(x, n, d, basis);
  return Array.from({ length: n }, (_, i) => scores.map((column) => column[i]));
}

/** X · V for V given as columns: the result as columns of length n. */
function times(x: Float64Array, n: number, d: number, columns: Float64Array[]): Float64Array[] {
  return columns.map((column) => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      let sum = 0;
      for (let j = 0; j < d; j++) sum += x[o + j] * column[j];
      out[i] = sum;
    }
    return out;
  });
}

/** Modified Gram–Schmidt in place; a column that is (numerically) dependent becomes zero. */
function orthonormalize(columns: Float64Array[]): void {
  for (let c = 0; c < columns.length; c++) {
    const v = columns[c];
    for (let p = 0; p < c; p++) {
      const u = columns[p];
      let projection = 0;
      for (let j = 0; j < v.length; j++) projection += v[j] * u[j];
      for (let j = 0; j < v.length; j++) v[j] -= projection * u[j];
    }
    let norm = 0;
    for (let j = 0; j < v.length; j++) norm += v[j] * v[j];
    norm = Math.sqrt(norm);
    if (norm < 1e-12 || !Number.isFinite(norm)) v.fill(0);
    else for (let j = 0; j < v.length; j++) v[j] /= norm;
  }
}

/** A small seeded generator, so that drawing again gives the same picture. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Group {
  label: string;
  indexes: number[];
}

/** One group per color value, the most frequent `max` kept and the rest as "other". */
export function groupByColor(colors: (string | null)[], max = 12): Group[] {
  const byValue = new Map<string, number[]>();
  colors.forEach((c, i) => {
    const key = c === null ? '(none)' : c;
    let list = byValue.get(key);
    if (!list) byValue.set(key, (list = []));
    list.push(i);
  });
  const sorted = [...byValue.entries()].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]));
  const groups = sorted.slice(0, max).map(([label, indexes]) => ({ label, indexes }));
  const rest = sorted.slice(max).flatMap(([, indexes]) => indexes);
  if (rest.length > 0) groups.push({ label: 'other', indexes: rest });
  return groups;
}
