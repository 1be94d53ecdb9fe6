import { http, type TestGateway } from '../../support/gateway';

/** Plain-HTTP helpers for Vectorizer's REST API on a test gateway (no spec file: jest ignores it). */
export type Res = Awaited<ReturnType<typeof http>>;

export interface VectorIn {
  id?: unknown;
  embedding: unknown;
  payload?: unknown;
  metadata?: unknown;
}

export function vectorizer(gw: TestGateway) {
  return {
    get: (path: string) => http(gw.url, 'GET', path),
    post: (path: string, body?: unknown) => http(gw.url, 'POST', path, body ?? {}),
    put: (path: string, body?: unknown) => http(gw.url, 'PUT', path, body ?? {}),
    del: (path: string) => http(gw.url, 'DELETE', path),

    async create(name: string, dimension: number, metric?: string): Promise<Res> {
      const res = await http(
        gw.url,
        'POST',
        '/collections',
        metric === undefined ? { name, dimension } : { name, dimension, metric },
      );
      if (res.status !== 200) throw new Error(`create ${name}: ${res.status} ${res.text}`);
      return res;
    },

    async insert(collection: string, vectors: VectorIn[]): Promise<Res> {
      const res = await http(gw.url, 'POST', '/insert_vectors', { collection, vectors });
      if (res.status !== 200) throw new Error(`insert into ${collection}: ${res.status} ${res.text}`);
      return res;
    },

    /** Every vector of a collection, in list order (insertion order). */
    async all(
      collection: string,
    ): Promise<{ id: string; vector: number[]; payload: Record<string, unknown> | null }[]> {
      const res = await http(gw.url, 'GET', `/collections/${encodeURIComponent(collection)}/vectors?limit=1000`);
      if (res.status !== 200) throw new Error(`list ${collection}: ${res.status} ${res.text}`);
      return res.body.vectors;
    },

    async ids(collection: string): Promise<string[]> {
      return (await this.all(collection)).map((v) => v.id).sort();
    },
  };
}

export type Vectorizer = ReturnType<typeof vectorizer>;

let seq = 0;

/** A fresh collection name that Chroma and Pinecone also accept (lowercase letters, digits, '-'). */
export function collectionName(prefix: string): string {
  return `${prefix}-${++seq}-${Date.now().toString(36)}`.slice(0, 45).replace(/-+$/, '');
}

/**
 * Vectorizer's error body, `{"error_type","message","details"?,"status_code"}`, and nothing else:
 * a status code equal to the HTTP status and a JSON content type.
 */
export function expectVectorizerError(res: Res, status: number, errorType: string, message?: string | RegExp): void {
  expect({ status: res.status, error_type: res.body?.error_type }).toEqual({ status, error_type: errorType });
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  expect(res.body.status_code).toBe(status);
  expect(typeof res.body.message).toBe('string');
  for (const key of Object.keys(res.body)) expect(['error_type', 'message', 'details', 'status_code']).toContain(key);
  if (message !== undefined) expect(res.body.message).toMatch(message);
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function dot(a: number[], b: number[]): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

export function cosine(a: number[], b: number[]): number {
  return dot(a, b) / Math.sqrt(dot(a, a) * dot(b, b));
}

export function l2(a: number[], b: number[]): number {
  return Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
}

/** Vectors are stored as float4: compare scores to about 5 digits. */
export const CLOSE = 4;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
