import { Pinecone, type Index, type IndexModel } from '@pinecone-database/pinecone';
import { http, type TestGateway } from './gateway';

export type Metric = 'cosine' | 'euclidean' | 'dotproduct';

/** The official v9 client, pointed at a gateway: its control plane is the gateway's root. */
export function pineconeClient(gw: TestGateway): Pinecone {
  return new Pinecone({ apiKey: 'any', controllerHostUrl: gw.url });
}

/**
 * POST /indexes/create-for-model for an index that embeds `chunk_text` with llama-text-embed-v2
 * (the model the inference tests map to their provider), at the gateway's `url`: the answer.
 */
export function createForModel(url: string, name: string) {
  return http(url, 'POST', '/indexes/create-for-model', {
    name,
    cloud: 'aws',
    region: 'us-east-1',
    embed: { model: 'llama-text-embed-v2', field_map: { text: 'chunk_text' } },
  });
}

/** The legacy create options the v9 client translates into the 2026-07 body. */
export const SERVERLESS = { serverless: { cloud: 'aws', region: 'us-east-1' } };

let seq = 0;

/** A fresh, valid index name (lowercase, digits, '-'). */
export function indexName(prefix: string): string {
  return `${prefix}-${++seq}-${Date.now().toString(36)}`.slice(0, 45).replace(/-+$/, '');
}

/** Creates a dense serverless index through the client and returns its model. */
export async function createDense(
  pc: Pinecone,
  name: string,
  dimension: number,
  metric: Metric = 'cosine',
): Promise<IndexModel> {
  return pc.createIndex({ name, dimension, metric, spec: SERVERLESS });
}

/** Creates a sparse index (vectorType 'sparse', metric dotproduct, no dimension). */
export async function createSparse(pc: Pinecone, name: string): Promise<IndexModel> {
  return pc.createIndex({ name, vectorType: 'sparse', metric: 'dotproduct', spec: SERVERLESS });
}

/** A dense index created through the client, and a data-plane handle on it (host resolved by describe). */
export async function freshDense(
  pc: Pinecone,
  prefix: string,
  dimension: number,
  metric: Metric = 'cosine',
): Promise<Index> {
  const name = indexName(prefix);
  await createDense(pc, name, dimension, metric);
  return pc.index({ name });
}

/** Strings in byte (C collation) order of their UTF-8 encodings. */
export function byteSorted(values: string[]): string[] {
  return [...values].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

export function dot(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

export function cosine(a: number[], b: number[]): number {
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}

export function squaredDistance(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);
}

/** A small deterministic PRNG (mulberry32), so large fixtures are the same on every run. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decimal places for score comparisons: the store keeps float4 values. */
export const CLOSE = 4;
