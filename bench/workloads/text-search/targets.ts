/**
 * The full-text benchmark's targets: vecgate's document index through the official Pinecone (v9)
 * client's Documents API, and SQLite FTS5 through sqlite3 shells (fts5.ts). Both load the same
 * corpus in batches of 1,000 and answer the same queries with a top 10 and its scores; the
 * vector-only ingests the full-text ingest is measured against are here too.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Index, Pinecone } from '@pinecone-database/pinecone';
import { gaussian, rng } from '../../data';
import { progress } from '../../report';
import { ingest, type Ingest } from '../../stats';
import type { TextCorpus } from './corpus';
import type { Ranked } from './exact';
import { CREATE_TABLE, Fts5Shell, insertBatch, parseRows, querySql, SHELL_SETUP } from './fts5';
import { ABSENT_WORD, type BenchQuery } from './queries';

export const NAMESPACE = 'main';
export const BATCH = 1000;
export const TOP_K = 10;

/** What the timing loops ask of a target: one query, answered by `client` (0 to clients - 1). */
export interface SearchTarget {
  name: string;
  search(q: BenchQuery, client: number): Promise<Ranked>;
  close(): Promise<void>;
}

const progressEvery = (label: string, total: number) => (done: number) => {
  if (done % (BATCH * 50) === 0 || done === total) progress(`${label}: ${done}/${total}`);
};

/** The full-text index's schema: one string field, the default analyser (lowercase, words, no stemming). */
const TEXT_SCHEMA = { fields: { body: { type: 'string', fullTextSearch: {} } } };
/** The vector-only document index's schema: a small dense vector and nothing searchable by text. */
const DENSE_SCHEMA = { fields: { emb: { type: 'dense_vector', dimension: 8, metric: 'cosine' } } };

/** Document i's 8-dimensional vector for the vector-only ingests. */
const smallVector = (seed: number, i: number) => {
  const r = rng(seed, 'text-bench-vector', i);
  return Array.from({ length: 8 }, () => Math.fround(gaussian(r)));
};

const createDocumentIndex = (pc: Pinecone, name: string, schema: unknown) =>
  pc.indexes.create({ name, schema } as never);

const documentsOf = (pc: Pinecone, name: string) => pc.index({ name }).namespace(NAMESPACE).documents;

/** vecgate's document index with the full-text field `body`, filled with the corpus (none: it is there already). */
export async function vecgateTextIndex(
  pc: Pinecone,
  name: string,
  corpus: TextCorpus,
  keep: boolean,
  reuse = false,
): Promise<{ target: SearchTarget; ingest?: Ingest }> {
  const docs = documentsOf(pc, name);
  let loaded: Ingest | undefined;
  if (!reuse) {
    await pc.deleteIndex(name).catch(() => undefined);
    await createDocumentIndex(pc, name, TEXT_SCHEMA);
    loaded = await ingest(
      corpus.documents,
      BATCH,
      (start, size) => corpus.batch(start, size).map((d) => ({ _id: d.id, body: d.body, category: d.category })),
      (documents) => docs.upsert({ documents }),
      progressEvery('vecgate: full-text documents upserted', corpus.documents),
    );
  } else {
    const held = (await pc.index({ name }).describeIndexStats()).namespaces?.[NAMESPACE]?.recordCount;
    if (held !== corpus.documents)
      throw new Error(`--reuse: the index ${name} holds ${held ?? 'no'} documents, not ${corpus.documents}`);
  }
  const target: SearchTarget = {
    name: 'vecgate',
    async search(q) {
      const words = q.terms.length ? q.terms.map((t) => corpus.words[t]) : [ABSENT_WORD];
      const scoreBy = q.phrase
        ? [{ type: 'query_string', query: `body:("${words.join(' ')}")` }]
        : [{ type: 'text', fields: ['body'], query: words.join(' ') }];
      const filter = q.category >= 0 ? { category: { $eq: `c${q.category}` } } : undefined;
      const res = await docs.search({ scoreBy, topK: TOP_K, ...(filter ? { filter } : {}) } as never);
      return {
        docs: res.matches.map((m) => Number(m._id.slice(1))),
        scores: res.matches.map((m) => Number(m._score)),
      };
    },
    close: async () => {
      if (!keep) await pc.deleteIndex(name).catch(() => undefined);
    },
  };
  return { target, ingest: loaded };
}

export type Baseline = 'dense-doc' | 'vectors';
export const BASELINES: readonly Baseline[] = ['dense-doc', 'vectors'];

export const BASELINE_LABELS: Record<Baseline, string> = {
  'dense-doc':
    'vecgate, document index with a dense_vector field only (8 dims): the same documents, `body` as plain metadata',
  vectors: 'vecgate, vectors index (8 dims) through upsert: id, vector and `category` only',
};

/** A vector-only ingest of as many documents, its index deleted afterwards (its HNSW build would run beside what follows). */
export async function vecgateBaseline(
  pc: Pinecone,
  name: string,
  corpus: TextCorpus,
  kind: Baseline,
  seed: number,
): Promise<Ingest> {
  await pc.deleteIndex(name).catch(() => undefined);
  try {
    if (kind === 'dense-doc') {
      await createDocumentIndex(pc, name, DENSE_SCHEMA);
      const docs = documentsOf(pc, name);
      return await ingest(
        corpus.documents,
        BATCH,
        (start, size) =>
          corpus.batch(start, size).map((d, k) => ({
            _id: d.id,
            emb: smallVector(seed, start + k),
            body: d.body,
            category: d.category,
          })),
        (documents) => docs.upsert({ documents }),
        progressEvery('vecgate: dense-only documents upserted', corpus.documents),
      );
    }
    await pc.createIndex({
      name,
      dimension: 8,
      metric: 'cosine',
      spec: { serverless: { cloud: 'aws', region: 'us-east-1' } },
    });
    const index: Index = pc.index({ name }).namespace(NAMESPACE);
    return await ingest(
      corpus.documents,
      BATCH,
      (start, size) =>
        corpus.batch(start, size).map((d, k) => ({
          id: d.id,
          values: smallVector(seed, start + k),
          metadata: { category: d.category },
        })),
      (records) => index.upsert({ records }),
      progressEvery('vecgate: vectors upserted', corpus.documents),
    );
  } finally {
    await pc.deleteIndex(name).catch(() => undefined);
  }
}

/** FTS5's database, loaded (or `existing`, loaded before); `shells` sqlite3 processes on it for the queries. */
export async function fts5Index(
  corpus: TextCorpus,
  shells: number,
  keep: boolean,
  existing?: string,
): Promise<{ target: SearchTarget; ingest?: Ingest; optimizeMs: number; file: string; bytes: number }> {
  const dir = existing ? undefined : mkdtempSync(join(tmpdir(), 'vecgate-bench-fts5-'));
  const file = existing ?? join(dir!, 'corpus.db');
  let loaded: Ingest | undefined;
  let optimizeMs = 0;
  if (!existing) {
    const loader = new Fts5Shell(file);
    await loader.run(`${SHELL_SETUP}\n${CREATE_TABLE}`);
    loaded = await ingest(
      corpus.documents,
      BATCH,
      (start, size) => insertBatch(corpus, start, size),
      (sql) => loader.run(sql),
      progressEvery('FTS5: documents inserted', corpus.documents),
    );
    progress("FTS5: 'optimize' (merging the index's segments)");
    const started = Date.now();
    await loader.run("INSERT INTO docs(docs) VALUES('optimize');");
    optimizeMs = Date.now() - started;
    await loader.close();
  }
  const bytes = statSync(file).size;
  const pool = Array.from({ length: shells }, () => new Fts5Shell(file));
  await Promise.all(pool.map((s) => s.run(SHELL_SETUP)));
  const [held] = await pool[0].run('SELECT count(*) FROM docs;');
  if (Number(held) !== corpus.documents)
    throw new Error(`FTS5: ${file} holds ${held} documents, not ${corpus.documents}`);
  const target: SearchTarget = {
    name: 'FTS5',
    search: async (q, client) => parseRows(await pool[client].run(querySql(corpus, q, TOP_K))),
    async close() {
      await Promise.all(pool.map((s) => s.close()));
      if (keep || !dir) progress(`FTS5: kept ${file}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
  return { target, ingest: loaded, optimizeMs, file, bytes };
}
