/**
 * The Pinecone side of the harness: what the Pinecone workload asks of a target, and vecgate
 * through the official @pinecone-database/pinecone (v9) client as one. bench/sql/pinecone.ts is the
 * other target: the gateway's own SQL sent from the bench process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pinecone, type Index, type PineconeRecord } from '@pinecone-database/pinecone';
import { root } from '../servers/start';

/** What a Pinecone client sends: one vector of an upsert. */
export interface PineconeVector {
  id: string;
  values: number[];
  metadata: Record<string, unknown>;
}

export interface Match {
  id: string;
  score: number;
  metadata: Record<string, unknown> | null;
}

/** A Pinecone filter, as the client sends it (`{key: {$eq: value}}`). */
export type PineconeFilter = Record<string, unknown>;

/** The operations of the Pinecone workload, on vecgate or on the reference. */
export interface PineconeTarget<B = unknown> {
  /** Turns a batch into what `upsert` sends; untimed. */
  prepare(vectors: PineconeVector[]): B;
  upsert(namespace: string, batch: B): Promise<unknown>;
  /** After the first ingest: returns once the HNSW index is there (vecgate: built by the gateway; reference: built here). */
  indexReady(): Promise<unknown>;
  query(namespace: string, vector: number[], topK: number, filter: PineconeFilter | undefined): Promise<Match[]>;
  deleteWhere(namespace: string, filter: PineconeFilter): Promise<unknown>;
  deleteAll(namespace: string): Promise<unknown>;
  /** Untimed, for the checks. */
  count(namespace: string): Promise<number>;
}

/** The key the harness's clients send (a gateway started without keys takes any). */
export const API_KEY = 'bench';

export const pineconeClient = (url: string) => new Pinecone({ apiKey: API_KEY, controllerHostUrl: url });

/** vecgate's index through the client; `waitIndex` says when the gateway has built its HNSW index. */
export class VecgateIndex implements PineconeTarget<PineconeVector[]> {
  private readonly handles = new Map<string, Index>();

  constructor(
    private readonly pc: Pinecone,
    private readonly name: string,
    private readonly waitIndex: () => Promise<unknown>,
  ) {}

  /** Namespace handles are made once, outside the timers (the host is resolved on first use). */
  private ns(namespace: string): Index {
    let h = this.handles.get(namespace);
    if (!h) this.handles.set(namespace, (h = this.pc.index({ name: this.name }).namespace(namespace)));
    return h;
  }

  prepare(vectors: PineconeVector[]): PineconeVector[] {
    return vectors;
  }

  upsert(namespace: string, records: PineconeVector[]): Promise<void> {
    return this.ns(namespace).upsert({ records: records as PineconeRecord[] });
  }

  indexReady(): Promise<unknown> {
    return this.waitIndex();
  }

  async query(namespace: string, vector: number[], topK: number, filter: PineconeFilter | undefined): Promise<Match[]> {
    const res = await this.ns(namespace).query({ vector, topK, includeMetadata: true, ...(filter ? { filter } : {}) });
    return res.matches.map((m) => ({
      id: m.id,
      score: m.score ?? NaN,
      metadata: (m.metadata as Record<string, unknown> | undefined) ?? null,
    }));
  }

  deleteWhere(namespace: string, filter: PineconeFilter): Promise<void> {
    return this.ns(namespace).deleteMany({ filter });
  }

  deleteAll(namespace: string): Promise<void> {
    return this.ns(namespace).deleteAll();
  }

  async count(namespace: string): Promise<number> {
    const stats = await this.pc.index({ name: this.name }).describeIndexStats();
    return stats.namespaces?.[namespace]?.recordCount ?? 0;
  }
}

/** The installed client's version, for the report. */
export function pineconeClientVersion(): string {
  try {
    const file = join(root, 'node_modules', '@pinecone-database', 'pinecone', 'package.json');
    return String(JSON.parse(readFileSync(file, 'utf8')).version);
  } catch {
    return '?';
  }
}
