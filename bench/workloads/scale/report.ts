/** The scale workload's results, and its tables and notes. */
import { markdown, ms, pct, thousands } from '../../report';
import type { Space } from '../../sql/tables';
import type { Ingest, Stats } from '../../stats';

export const K = 10;
export const WARMUP = 2;
export type Engine = 'vecgate' | 'chroma';
export type QueryKind = 'query' | 'query_filtered' | 'get_ids' | 'count';

export interface Settings {
  dim: number;
  batch: number;
  queries: number;
  truth?: number;
  space: Space;
  seed: number;
  keep: boolean;
  indexTimeout: number;
  efSearch: number[];
}

export interface KindResult {
  label: string;
  latency?: Stats;
  samples?: number[];
  /** recall@K over the first `truthQueries` calls (query kinds only). */
  recall?: number;
  truthQueries?: number;
  truthMs?: number;
  /** Calls that returned the wrong number of rows (or the wrong count). */
  wrong: number;
  error?: string;
}

/** Both query kinds at one ef_search value. */
export interface EfSearchResult {
  efSearch: number;
  query?: KindResult;
  queryFiltered?: KindResult;
  error?: string;
}

export interface SizeResult {
  size: number;
  engine: Engine;
  collection: string;
  collectionId?: string;
  table?: string;
  gateway: { url?: string; pid?: number; info: Record<string, string> };
  ingest?: Ingest & { batches: number };
  indexBuild?: { ms: number; polls: number; last: unknown };
  /** What the search tuner chose after the build, and how long it took to say. */
  tuning?: { ms: number; chose: Record<string, unknown> };
  storage?: { tableMiB: number; indexesMiB: number; hnswMiB?: number };
  memory?: {
    peakRssMiB: number;
    hwmMiB?: number;
    sampledMaxRssMiB: number;
    samplePeriodMs: number;
    timeline: [number, number][];
  };
  kinds: Partial<Record<QueryKind, KindResult>>;
  efSearch: EfSearchResult[];
  deleted: boolean;
  warnings: string[];
  error?: string;
  totalMs?: number;
}

/** What vecgate's run of a size found out, for Chroma's run of it: the exact answers, the buckets' sizes. */
export interface Known {
  truths: Partial<Record<QueryKind, string[][]>>;
  inBucket?: Map<number, number>;
}

/** `p50 / p99` of a latency, or 'error' when the calls failed. */
const pair = (l?: Stats) => (l ? `${ms(l.median)} / ${ms(l.p99)}` : 'error');

export function reportTable(results: SizeResult[]): string {
  const header = [
    'size',
    'server',
    'ingest s',
    'records/s',
    'index build s',
    'peak RSS MiB',
    'query p50/p99 ms',
    'filtered query p50/p99 ms',
    'get 100 ids p50 ms',
    'count p50 ms',
    `recall@${K} query / filtered`,
  ];
  const body = results.map((r) => [
    thousands(r.size),
    r.engine,
    r.ingest ? ms(r.ingest.totalMs / 1000, 1) : 'error',
    r.ingest ? thousands(Math.round(r.ingest.recordsPerSecond)) : '-',
    r.indexBuild && r.engine === 'vecgate' ? ms(r.indexBuild.ms / 1000, 2) : '-',
    r.memory ? ms(r.memory.peakRssMiB, 0) : '-',
    r.kinds.query ? pair(r.kinds.query.latency) : '-',
    r.kinds.query_filtered ? pair(r.kinds.query_filtered.latency) : '-',
    ms(r.kinds.get_ids?.latency?.median),
    ms(r.kinds.count?.latency?.median),
    `${pct(r.kinds.query?.recall)} / ${pct(r.kinds.query_filtered?.recall)}`,
  ]);
  return markdown(header, body);
}

/** One row per size and ef_search value: the latency/recall trade-off (the default run first). */
export function efSearchTable(results: SizeResult[]): string {
  const header = [
    'size',
    'ef_search',
    'query p50/p99 ms',
    `recall@${K}`,
    'filtered query p50/p99 ms',
    `filtered recall@${K}`,
  ];
  const body: string[][] = [];
  for (const r of results) {
    if (r.efSearch.length === 0) continue;
    const row = (ef: string, q = r.kinds.query, f = r.kinds.query_filtered) => [
      thousands(r.size),
      ef,
      pair(q?.latency),
      pct(q?.recall),
      pair(f?.latency),
      pct(f?.recall),
    ];
    body.push(row('default'));
    for (const e of r.efSearch)
      body.push(
        e.error
          ? [thousands(r.size), String(e.efSearch), 'error', '-', 'error', '-']
          : row(String(e.efSearch), e.query, e.queryFiltered),
      );
  }
  return markdown(header, body);
}

export function notes(results: SizeResult[], queries: number): string[] {
  return results.map((r) => {
    const parts: string[] = [];
    const i = r.ingest;
    if (i)
      parts.push(
        `add batch p50/p99/max ${ms(i.batch.median)}/${ms(i.batch.p99)}/${ms(i.batch.max)} ms over ${i.batches} batches, ` +
          `ingest wall ${ms(i.wallMs / 1000, 1)} s (data generation ${ms(i.generateMs / 1000, 1)} s of it)`,
      );
    if (r.tuning)
      parts.push(
        `search tuning after ${ms(r.tuning.ms / 1000, 1)} s: ${r.tuning.chose.exact ? 'exact search' : `ef_search ${String(r.tuning.chose.ef_search)}`}, recall@10 ${String(r.tuning.chose.recall)} on its own sample`,
      );
    if (r.storage)
      parts.push(
        `on disk: table ${ms(r.storage.tableMiB, 0)} MiB, indexes ${ms(r.storage.indexesMiB, 0)} MiB (HNSW ${ms(r.storage.hnswMiB, 0)} MiB)`,
      );
    if (r.memory)
      parts.push(`server RSS sampled max ${ms(r.memory.sampledMaxRssMiB, 0)} MiB, VmHWM ${ms(r.memory.hwmMiB, 0)} MiB`);
    for (const k of ['query', 'query_filtered'] as const) {
      const kr = r.kinds[k];
      if (kr?.truthQueries)
        parts.push(
          `${kr.label}: recall over ${kr.truthQueries} queries${kr.truthMs === undefined ? '' : ` (exact search ${ms(kr.truthMs / kr.truthQueries)} ms each)`}`,
        );
    }
    const kinds = [
      ...Object.values(r.kinds).map((kr) => ['', kr] as const),
      ...r.efSearch.flatMap((e) => [e.query, e.queryFiltered].map((kr) => [`ef_search ${e.efSearch}: `, kr] as const)),
    ];
    for (const [tag, kr] of kinds) {
      if (kr?.wrong) parts.push(`${tag}${kr.label} WRONG in ${kr.wrong}/${queries} calls`);
      if (kr?.error) parts.push(`${tag}${kr.label} ERROR ${kr.error}`);
    }
    for (const e of r.efSearch) if (e.error) parts.push(`ef_search ${e.efSearch} ERROR ${e.error}`);
    for (const w of r.warnings) parts.push(`WARNING ${w}`);
    if (r.error) parts.push(`ERROR ${r.error}`);
    if (!r.deleted && r.collectionId) parts.push(`collection ${r.collection} (${r.collectionId}) left in place`);
    if (r.totalMs !== undefined) parts.push(`size run ${ms(r.totalMs / 1000, 0)} s in all`);
    return `- ${thousands(r.size)} on ${r.engine}: ${parts.join('; ')}`;
  });
}
