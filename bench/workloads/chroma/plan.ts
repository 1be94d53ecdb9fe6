/**
 * The Chroma workload's operations: each one's per-repetition calls and right answers, fixed from
 * the data before any target runs.
 */
import { QUERY_INCLUDE, WITH_EMBEDDINGS, WITHOUT_EMBEDDINGS, type Call } from '../../clients/chroma';
import {
  BUCKETS,
  CATEGORIES,
  GroundTruth,
  int,
  params,
  permutation,
  PRICE_MAX,
  recordId,
  rng,
  sample,
  SHARDS,
  type BenchMetadata,
  type Dataset,
} from '../../data';
import { progress } from '../../report';

export const K = 10;
/** Reads are timed after this many untimed calls of their first repetition. */
export const WARMUP = 2;
/** The gateway's and direct SQL's deletes together remove at most this share of the records. */
export const DELETE_BUDGET = 0.3;

export interface Operation {
  key: string;
  label: string;
  /** Reads run first, then deletes, then count; direct SQL runs its reads before anyone deletes. */
  phase: 'read' | 'delete' | 'count';
  reps: number;
  /** Untimed calls of repetition 0 first; 0 for deletes, which must hit fresh records each time. */
  warmup: number;
  call(i: number): Call;
  /** Direct SQL's calls where they must differ from the servers' (its deletes remove other records). */
  directCall?(i: number): Call;
  /** The right row count (or count, or deleted count) of each repetition, from the data itself. */
  expected: number[];
  directExpected?: number[];
  /** Queries: the exact top K of each repetition, for recall. */
  truth?: string[][];
  /** Queries: how many records match each repetition's filter. */
  matching?: number[];
  /** What the metadata of every record a repetition returns must satisfy. */
  holds?(i: number, m: BenchMetadata): boolean;
}

export interface Plan {
  ops: Operation[];
  /** Repetitions of each kind of delete. */
  deleteReps: number;
}

export function plan(data: Dataset, reps: number, seed: number): Plan {
  const n = data.records;
  const pick = params(seed, 'param');
  const meta = data.metadatas();
  const count = (keep: (m: BenchMetadata) => boolean) => meta.reduce((s, m) => s + (keep(m) ? 1 : 0), 0);
  const rowsPct = (x: number) => `~${Math.round(n * x)} rows`;
  const read = (op: Omit<Operation, 'phase' | 'reps' | 'warmup'>): Operation => ({
    phase: 'read',
    reps,
    warmup: WARMUP,
    ...op,
  });

  const idSets = pick('get-ids', reps, (r) => sample(r, n, 100).map(recordId));
  const buckets = pick('get-bucket', reps, (r) => int(r, BUCKETS));
  const priceWidth = PRICE_MAX / 100; // 1% of a uniform price
  const priceLows = pick('get-price', reps, (r) => Math.floor(r() * (PRICE_MAX - priceWidth)));
  const inPrice = (m: BenchMetadata, lo: number) => m.price >= lo && m.price < lo + priceWidth;

  progress('computing exact nearest neighbours for recall');
  const truth = new GroundTruth(data);
  /** A query operation at one selectivity: a vector near a cluster centre and `field` = values[i] (none: no filter). */
  const queryOp = (key: string, label: string, field: 'category' | 'bucket' | 'shard' | null, values: unknown[]) => {
    const keep = (m: BenchMetadata, i: number) => field === null || m[field] === values[i];
    const vectors = pick(`${key}-vector`, reps, (_, i) => data.queryVector(key, i));
    const matching = values.map((_, i) => count((m) => keep(m, i)));
    return read({
      key,
      label,
      call: (i) => ({
        op: 'query',
        vector: vectors[i],
        n: K,
        where: field === null ? undefined : { [field]: values[i] },
        include: QUERY_INCLUDE,
      }),
      truth: vectors.map((q, i) => truth.topK(q, K, (j) => keep(meta[j], i))),
      matching,
      expected: matching.map((m) => Math.min(K, m)),
      holds: (i, m) => keep(m, i),
    });
  };

  // Deletes: each repetition removes records no earlier one touched (a slice of one permutation of
  // the ids; a bucket not deleted before), and direct SQL gets slices and buckets of its own after
  // the servers' (reserved in every run, so that the workload does not depend on the targets).
  // Repetitions are added while everything deleted stays within DELETE_BUDGET, so the collection
  // stays near full size; small collections delete fewer ids per call.
  const idsPerDelete = Math.min(100, Math.floor(n / 20));
  const idOrder = permutation(rng(seed, 'param', 'delete-ids'), n);
  const bucketOrder = permutation(rng(seed, 'param', 'delete-bucket'), BUCKETS);
  const idSlice = (set: number, r: number, i: number) =>
    idOrder.slice((set * r + i) * idsPerDelete, (set * r + i + 1) * idsPerDelete);
  const deletedBy = (r: number) => {
    const gone = new Set<number>();
    for (let set = 0; set < 2; set++) {
      for (let i = 0; i < r; i++) for (const j of idSlice(set, r, i)) gone.add(j);
      const bs = new Set(bucketOrder.slice(set * r, (set + 1) * r));
      meta.forEach((m, j) => bs.has(m.bucket) && gone.add(j));
    }
    return gone.size;
  };
  let R = 1;
  while (R < Math.min(reps, 20) && deletedBy(R + 1) <= DELETE_BUDGET * n) R++;
  const deleteIds = (set: number) => Array.from({ length: R }, (_, i) => idSlice(set, R, i));
  const deleteBuckets = (set: number) => bucketOrder.slice(set * R, (set + 1) * R);
  // In the order they run: the servers' id deletes, their bucket deletes, then direct SQL's.
  const alive = new Set(meta.map((_, j) => j));
  const removeIds = (ids: number[]) => ids.filter((j) => alive.delete(j)).length;
  const removeBucket = (b: number) => removeIds(meta.flatMap((m, j) => (m.bucket === b ? [j] : [])));
  const deleted = [deleteIds(0).map(removeIds), deleteBuckets(0).map(removeBucket)];
  const remaining = alive.size;
  const directDeleted = [deleteIds(1).map(removeIds), deleteBuckets(1).map(removeBucket)];
  const directRemaining = alive.size;
  const idCall = (set: number) => (i: number) => ({ op: 'delete', ids: deleteIds(set)[i].map(recordId) }) as Call;
  const bucketCall = (set: number) => (i: number) =>
    ({ op: 'delete', where: { bucket: deleteBuckets(set)[i] } }) as Call;
  const always = (x: number) => Array.from({ length: reps }, () => x);
  const del = (key: string, label: string, call: (set: number) => (i: number) => Call, kind: number): Operation => ({
    key,
    label,
    phase: 'delete',
    reps: R,
    warmup: 0,
    call: call(0),
    directCall: call(1),
    expected: deleted[kind],
    directExpected: directDeleted[kind],
  });

  const categories = pick('q-category-value', reps, (r) => CATEGORIES[int(r, CATEGORIES.length)]);
  const qBuckets = pick('q-bucket-value', reps, (r) => int(r, BUCKETS));
  const shards = pick('q-shard-value', reps, (r) => int(r, SHARDS));

  const ops: Operation[] = [
    read({
      key: 'get_ids',
      label: 'get 100 ids',
      call: (i) => ({ op: 'get', ids: idSets[i], include: WITHOUT_EMBEDDINGS }),
      expected: idSets.map(() => 100),
    }),
    read({
      key: 'get_ids_emb',
      label: 'get 100 ids + embeddings',
      call: (i) => ({ op: 'get', ids: idSets[i], include: WITH_EMBEDDINGS }),
      expected: idSets.map(() => 100),
    }),
    read({
      key: 'get_eq',
      label: `get where bucket = b (1%, ${rowsPct(0.01)})`,
      call: (i) => ({ op: 'get', where: { bucket: buckets[i] }, include: WITHOUT_EMBEDDINGS }),
      expected: buckets.map((b) => count((m) => m.bucket === b)),
      holds: (i, m) => m.bucket === buckets[i],
    }),
    read({
      key: 'get_range',
      label: `get where p <= price < p+${priceWidth} (1%, ${rowsPct(0.01)})`,
      call: (i) => ({
        op: 'get',
        where: { $and: [{ price: { $gte: priceLows[i] } }, { price: { $lt: priceLows[i] + priceWidth } }] },
        include: WITHOUT_EMBEDDINGS,
      }),
      expected: priceLows.map((lo) => count((m) => inPrice(m, lo))),
      holds: (i, m) => inPrice(m, priceLows[i]),
    }),
    queryOp('query', `query top ${K}, no filter (100%)`, null, always(0)),
    queryOp('query_10', `query top ${K}, category = c (10%)`, 'category', categories),
    queryOp('query_1', `query top ${K}, bucket = b (1%)`, 'bucket', qBuckets),
    queryOp('query_01', `query top ${K}, shard = s (0.1%)`, 'shard', shards),
    del('delete_ids', `delete ${idsPerDelete} ids`, idCall, 0),
    del('delete_where', `delete where bucket = b (${rowsPct(0.01)})`, bucketCall, 1),
    {
      key: 'count',
      label: 'count',
      phase: 'count',
      reps,
      warmup: WARMUP,
      call: () => ({ op: 'count' }),
      expected: always(remaining),
      directExpected: always(directRemaining),
    },
  ];
  return { ops, deleteReps: R };
}
