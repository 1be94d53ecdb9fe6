/**
 * The Pinecone workload's plan: every parameter and every right answer, fixed before any target
 * runs; and the checks of the targets' answers against it.
 */
import type { AppConfig } from '../../../src/config/app-config';
import type { Match, PineconeFilter } from '../../clients/pinecone';
import { BUCKETS, CATEGORIES, Dataset, GroundTruth, int, params, permutation, recordId, rng } from '../../data';
import { progress } from '../../report';
import { recall, type Ingest, type OpResult } from '../../stats';

export const K = 10;
export const MAIN = 'bench-main';
export const SECOND = 'bench-second';

export interface Settings {
  records: number;
  dim: number;
  reps: number;
  batch: number;
  seed: number;
  indexTimeout: number;
}

/** The only filter the workload uses: key = value (Pinecone `{key: {$eq: value}}`, SQL `metadata @> {key: value}`). */
export interface Eq {
  key: 'category' | 'bucket';
  value: string | number;
}
export const pineconeFilter = (f: Eq | null): PineconeFilter | undefined =>
  f ? { [f.key]: { $eq: f.value } } : undefined;

export interface QueryOp {
  key: string;
  label: string;
  vectors: number[][];
  filters: (Eq | null)[];
  /** How many records match each repetition's filter (before any delete). */
  matching: number[];
  truth: string[][];
}

export interface Plan {
  data: Dataset;
  second: Dataset;
  queries: QueryOp[];
  deleteFilters: Eq[];
  /** Records left in the main namespace after the deletes. */
  remaining: number;
  truth: GroundTruth;
  /** Whether the first ingest makes the gateway build an HNSW index (VECGATE_INDEX_MIN_ROWS). */
  indexDue: boolean;
  indexMinRows: number;
}

export function plan(o: Settings, config: AppConfig): Plan {
  const data = new Dataset(o.seed, o.records, o.dim);
  const meta = data.metadatas();
  const pick = params(o.seed, 'pinecone-param');
  const holds = (f: Eq | null) => (m: (typeof meta)[number]) => f === null || m[f.key] === f.value;
  const count = (keep: (m: (typeof meta)[number]) => boolean) => meta.reduce((s, m) => s + (keep(m) ? 1 : 0), 0);

  progress('computing exact nearest neighbours (cosine) for recall');
  const truth = new GroundTruth(data, 'cosine');
  const queryOp = (key: string, label: string, filters: (Eq | null)[]): QueryOp => {
    const vectors = pick(`${key}-vector`, o.reps, (_, i) => data.queryVector(`pinecone-${key}`, i));
    const matching = filters.map((f) => count(holds(f)));
    return {
      key,
      label,
      vectors,
      filters,
      matching,
      truth: vectors.map((q, i) => truth.topK(q, K, (j) => holds(filters[i])(meta[j]))),
    };
  };
  const queries = [
    queryOp(
      'query',
      `query top ${K}, no filter`,
      pick('none', o.reps, () => null),
    ),
    queryOp(
      'query_10',
      `query top ${K}, category $eq c (10%)`,
      pick('category', o.reps, (r) => ({ key: 'category', value: CATEGORIES[int(r, CATEGORIES.length)] })),
    ),
    queryOp(
      'query_1',
      `query top ${K}, bucket $eq b (1%)`,
      pick('bucket', o.reps, (r) => ({ key: 'bucket', value: int(r, BUCKETS) })),
    ),
  ];

  // Each delete removes a bucket no earlier one touched (~1% of the namespace each); at most 20.
  const deleteFilters: Eq[] = permutation(rng(o.seed, 'pinecone-param', 'delete-bucket'), BUCKETS)
    .slice(0, Math.max(1, Math.min(o.reps, 20)))
    .map((b) => ({ key: 'bucket', value: b }));
  const remaining = count((m) => !deleteFilters.some((f) => m.bucket === f.value));
  // The gateway's rule (IndexBuilder): records ever inserted into the table; the main namespace's are the first.
  const indexMinRows = config.indexing.minRows;
  const second = new Dataset(o.seed + 1, o.records, o.dim);
  return { data, second, queries, deleteFilters, remaining, truth, indexDue: o.records >= indexMinRows, indexMinRows };
}

export interface TargetResult {
  name: string;
  info: Record<string, string>;
  ingest?: Ingest;
  /** From the end of the first ingest until the HNSW index was there (absent when none was due). */
  indexReadyMs?: number;
  ingestSecond?: Ingest;
  ops: Record<string, OpResult<Match[]>>;
  /** Correctness checks that passed (ok) or failed (wrong). */
  ok: string[];
  wrong: string[];
  /** Columns and index definitions of the record table once its index is there (real Postgres only). */
  shape?: string[];
  error?: string;
}

export const newResult = (name: string, info: Record<string, string> = {}): TargetResult => ({
  name,
  info: { ...info },
  ops: {},
  ok: [],
  wrong: [],
});

/** Checks on the query answers: result counts, filters, scores, recall. */
export function checkQueries(result: TargetResult, p: Plan): void {
  for (const q of p.queries) {
    const answers = result.ops[q.key]?.values;
    if (!answers) continue;
    let wrongCount = 0;
    let outside = 0;
    let worstScore = 0;
    answers.forEach((matches, i) => {
      if (matches.length !== Math.min(K, q.matching[i])) wrongCount++;
      const f = q.filters[i];
      if (f) outside += matches.filter((m) => m.metadata?.[f.key] !== f.value).length;
      for (const m of matches) {
        const index = Number(m.id.slice(4));
        if (recordId(index) !== m.id) continue;
        worstScore = Math.max(worstScore, Math.abs(m.score - (1 - p.truth.distance(index, q.vectors[i]))));
      }
    });
    const n = answers.length;
    const r = recall(
      answers.map((matches) => matches.map((m) => m.id)),
      q.truth,
    );
    (wrongCount === 0 ? result.ok : result.wrong).push(
      `${q.label}: ${n - wrongCount}/${n} answers had exactly ${K} matches`,
    );
    if (q.filters.some((f) => f))
      (outside === 0 ? result.ok : result.wrong).push(
        `${q.label}: ${outside === 0 ? 'every match satisfied the filter' : `${outside} matches did NOT satisfy the filter`}`,
      );
    (worstScore < 1e-4 ? result.ok : result.wrong).push(
      `${q.label}: scores within ${worstScore.toExponential(1)} of the exact cosine similarity`,
    );
    result.ok.push(`${q.label}: recall@${K} ${(r * 100).toFixed(1)}% against exact search`);
  }
}
