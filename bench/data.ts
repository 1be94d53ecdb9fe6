/**
 * Deterministic benchmark data. Every value comes from a seeded PRNG whose seed is derived from
 * (seed, stream, index), so any batch or parameter can be regenerated on its own and both targets
 * receive exactly the same records and the same queries.
 */

export type Rng = () => number;

/** A 32-bit string/number hash (FNV-1a), used to derive independent seeds. */
function hash(parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\u0000')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast and good enough for benchmark data. Returns floats in [0, 1). */
export function rng(seed: number, ...stream: (string | number)[]): Rng {
  let a = hash([seed, ...stream]);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A workload's parameters: `make` is called for i = 0..count-1, each time with a generator of its
 * own, seeded by (seed, ...prefix, stream, i).
 */
export const params =
  (seed: number, ...prefix: string[]) =>
  <T>(stream: string, count: number, make: (r: Rng, i: number) => T): T[] =>
    Array.from({ length: count }, (_, i) => make(rng(seed, ...prefix, stream, i), i));

export function int(r: Rng, n: number): number {
  return Math.floor(r() * n);
}

/** Standard normal (Box-Muller). */
export function gaussian(r: Rng): number {
  const u = 1 - r();
  const v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** k distinct integers from [0, n), in random order. */
export function sample(r: Rng, n: number, k: number): number[] {
  if (k > n) throw new Error(`cannot sample ${k} of ${n}`);
  const picked = new Set<number>();
  while (picked.size < k) picked.add(int(r, n));
  return [...picked];
}

/** A random permutation of [0, n). */
export function permutation(r: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = int(r, i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

export const CATEGORIES = ['news', 'sports', 'science', 'music', 'travel', 'food', 'health', 'tech', 'finance', 'art'];
export const BUCKETS = 100;
/** Values of `shard`: one matches 0.1% of the records, for the most selective filter. */
export const SHARDS = 1000;
export const PRICE_MAX = 1000;

export const WORDS = (
  'vector index search query record gateway postgres table column embedding cosine distance ' +
  'nearest neighbour graph layer cluster shard replica batch filter metadata document token ' +
  'river mountain forest ocean desert island valley city harbour bridge tower garden market ' +
  'quick slow bright dark ancient modern quiet loud warm cold green blue golden silver ' +
  'runs builds reads writes stores finds sorts joins merges scans'
).split(' ');

export type BenchMetadata = {
  category: string;
  bucket: number;
  shard: number;
  n: number;
  price: number;
};

export interface BenchRecord {
  id: string;
  embedding: number[];
  document: string;
  metadata: BenchMetadata;
}

/** One add payload: the chromadb client's column arrays. */
export interface AddBatch {
  ids: string[];
  embeddings: number[][];
  documents: string[];
  metadatas: BenchMetadata[];
}

export function addBatch(data: Dataset, start: number, size: number): AddBatch {
  const batch = data.batch(start, size);
  return {
    ids: batch.map((r) => r.id),
    embeddings: batch.map((r) => r.embedding),
    documents: batch.map((r) => r.document),
    metadatas: batch.map((r) => r.metadata),
  };
}

export function recordId(i: number): string {
  return `rec-${String(i).padStart(6, '0')}`;
}

/**
 * Records are drawn around a fixed set of cluster centres (real embeddings cluster; uniform noise
 * in 384 dimensions would make every point nearly equidistant). Metadata is independent of the
 * vector, so a filter's matches are spread over the whole graph.
 */
export class Dataset {
  private readonly centres: number[][];

  constructor(
    readonly seed: number,
    readonly records: number,
    readonly dim: number,
    readonly clusters = 64,
    private readonly spread = 0.5,
  ) {
    this.centres = Array.from({ length: clusters }, (_, c) => {
      const r = rng(seed, 'centre', c);
      return Array.from({ length: dim }, () => gaussian(r));
    });
  }

  private near(r: Rng, centre: number[]): number[] {
    return centre.map((x) => Math.fround(x + this.spread * gaussian(r)));
  }

  /** Document and metadata come from their own stream, so they can be listed without the vectors. */
  text(i: number): Pick<BenchRecord, 'document' | 'metadata'> {
    const r = rng(this.seed, 'text', i);
    const words = Array.from({ length: 4 + int(r, 6) }, () => WORDS[int(r, WORDS.length)]);
    let price = Math.round(r() * PRICE_MAX * 100) / 100;
    if (Number.isInteger(price)) price += 0.01; // stays a float on the wire (Chroma keeps int and float apart)
    const category = CATEGORIES[int(r, CATEGORIES.length)];
    const bucket = int(r, BUCKETS);
    // Drawn last, so every earlier field keeps the value it had before shard existed.
    const shard = int(r, SHARDS);
    return { document: words.join(' '), metadata: { category, bucket, shard, n: i, price } };
  }

  /** Every record's metadata, in order. */
  metadatas(): BenchMetadata[] {
    return Array.from({ length: this.records }, (_, i) => this.text(i).metadata);
  }

  record(i: number): BenchRecord {
    const r = rng(this.seed, 'vector', i);
    return { id: recordId(i), embedding: this.near(r, this.centres[int(r, this.clusters)]), ...this.text(i) };
  }

  /** Records [start, start + size) of the dataset. */
  batch(start: number, size: number): BenchRecord[] {
    const end = Math.min(this.records, start + size);
    return Array.from({ length: end - start }, (_, k) => this.record(start + k));
  }

  /**
   * A query that lies between topics and partly off the records: a point on the segment between
   * two random cluster centres, the records' own spread of noise, and a shift along one direction
   * shared by every query (of the norm of that noise). Questions embedded against passages, or
   * images against captions, come out like this: not near any record the collection holds, and
   * displaced from the records as a whole (the "modality gap"). The search tuner's own queries are
   * made near the records, so its recall on them says little about these; bench/workloads/traffic.ts
   * measures both. Drawn from a stream of its own, so queryVector's answers are unchanged.
   */
  betweenTopics(stream: string, i: number): number[] {
    const r = rng(this.seed, 'between', stream, i);
    const a = this.centres[int(r, this.clusters)];
    const b = this.centres[int(r, this.clusters)];
    const t = 0.3 + 0.4 * r();
    const shift = this.shift();
    return a.map((x, k) => Math.fround((1 - t) * x + t * b[k] + this.spread * gaussian(r) + shift[k]));
  }

  private shiftCache?: number[];

  /** The one direction every betweenTopics query is displaced along, of norm spread * sqrt(dim). */
  private shift(): number[] {
    if (this.shiftCache) return this.shiftCache;
    const r = rng(this.seed, 'between-shift');
    const v = Array.from({ length: this.dim }, () => gaussian(r));
    const norm = Math.hypot(...v) || 1;
    const length = this.spread * Math.sqrt(this.dim);
    return (this.shiftCache = v.map((x) => (x / norm) * length));
  }

  /** A query vector near a random cluster centre, like a record the collection could hold. */
  queryVector(stream: string, i: number): number[] {
    const r = rng(this.seed, 'query', stream, i);
    return this.near(r, this.centres[int(r, this.clusters)]);
  }
}

/**
 * Vectors drawn uniformly from the cube [-1, 1]^dim: no clusters, so an HNSW walk has no shortcut
 * and visits far more of the graph than on the clustered data (the hard case). Documents and
 * metadata are the clustered dataset's, so the same filters match the same shares.
 */
export class UniformDataset extends Dataset {
  constructor(seed: number, records: number, dim: number) {
    super(seed, records, dim, 1);
  }

  override record(i: number): BenchRecord {
    const r = rng(this.seed, 'uniform', i);
    return {
      id: recordId(i),
      embedding: Array.from({ length: this.dim }, () => Math.fround(2 * r() - 1)),
      ...this.text(i),
    };
  }

  override queryVector(stream: string, i: number): number[] {
    const r = rng(this.seed, 'uniform-query', stream, i);
    return Array.from({ length: this.dim }, () => Math.fround(2 * r() - 1));
  }
}

/**
 * Exact nearest neighbours over the whole dataset, for recall: by squared L2 (Chroma's default
 * space) unless `metric` is 'cosine' (1 - cosine similarity, Pinecone's default metric).
 */
export class GroundTruth {
  private readonly vectors: Float32Array;
  private readonly norms?: Float64Array;

  constructor(
    private readonly data: Dataset,
    metric: 'l2' | 'cosine' = 'l2',
  ) {
    this.vectors = new Float32Array(data.records * data.dim);
    for (let i = 0; i < data.records; i++) this.vectors.set(data.record(i).embedding, i * data.dim);
    if (metric === 'cosine') {
      this.norms = new Float64Array(data.records);
      for (let i = 0; i < data.records; i++) {
        let s = 0;
        for (let j = 0, o = i * data.dim; j < data.dim; j++) s += this.vectors[o + j] * this.vectors[o + j];
        this.norms[i] = Math.sqrt(s);
      }
    }
  }

  /** The distance of record i from `query` in this truth's metric. */
  distance(i: number, query: number[]): number {
    const dim = this.data.dim;
    if (this.norms) {
      let dot = 0;
      let qq = 0;
      for (let j = 0, o = i * dim; j < dim; j++) {
        dot += this.vectors[o + j] * query[j];
        qq += query[j] * query[j];
      }
      return 1 - dot / (this.norms[i] * Math.sqrt(qq));
    }
    let d = 0;
    for (let j = 0, o = i * dim; j < dim; j++) {
      const x = this.vectors[o + j] - query[j];
      d += x * x;
    }
    return d;
  }

  /** Ids of the k nearest records among those `keep` accepts, nearest first. */
  topK(query: number[], k: number, keep: (i: number) => boolean): string[] {
    const { records } = this.data;
    const best: { i: number; d: number }[] = [];
    for (let i = 0; i < records; i++) {
      if (!keep(i)) continue;
      const d = this.distance(i, query);
      if (best.length < k || d < best[best.length - 1].d) {
        best.push({ i, d });
        best.sort((a, b) => a.d - b.d);
        if (best.length > k) best.pop();
      }
    }
    return best.map((b) => recordId(b.i));
  }
}

/** The records of the growth and tuner-runs workloads: uniform in the cube, or clustered. */
export type DataKind = 'uniform' | 'clustered';

export function datasetOf(kind: DataKind, seed: number, records: number, dim: number): Dataset {
  return kind === 'uniform' ? new UniformDataset(seed, records, dim) : new Dataset(seed, records, dim);
}

/**
 * A query as such a collection's users send them: uniform in the cube like the records, or, on
 * clustered records, between topics and off the records (questions against passages).
 */
export function userQuery(data: Dataset, kind: DataKind, stream: string, i: number): number[] {
  return kind === 'uniform' ? data.queryVector(stream, i) : data.betweenTopics(stream, i);
}
