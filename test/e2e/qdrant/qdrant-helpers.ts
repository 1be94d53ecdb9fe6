import { randomBytes } from 'node:crypto';
import type { QdrantClient } from '@qdrant/js-client-rest' with { 'resolution-mode': 'import' };
import { http, type TestGateway } from '../../support/gateway';

export type { QdrantClient };

/** The official client on the gateway's Qdrant port, as a user constructs it (an ES module: imported, not required). */
export async function qdrantClient(gw: TestGateway, apiKey?: string): Promise<QdrantClient> {
  const { QdrantClient } = await import('@qdrant/js-client-rest');
  // checkCompatibility asks GET / in the background; the tests ask it themselves.
  return new QdrantClient({ url: gw.qdrantUrl, apiKey, checkCompatibility: false });
}

export function collectionName(label: string): string {
  return `${label}_${randomBytes(4).toString('hex')}`;
}

/** Plain HTTP on the Qdrant port. */
export function qdrantHttp(gw: TestGateway, headers: Record<string, string> = {}) {
  return {
    get: (path: string) => http(gw.qdrantUrl, 'GET', path, undefined, headers),
    del: (path: string) => http(gw.qdrantUrl, 'DELETE', path, undefined, headers),
    post: (path: string, body: unknown = {}) => http(gw.qdrantUrl, 'POST', path, body, headers),
    put: (path: string, body: unknown = {}) => http(gw.qdrantUrl, 'PUT', path, body, headers),
    patch: (path: string, body: unknown = {}) => http(gw.qdrantUrl, 'PATCH', path, body, headers),
  };
}

/** A Qdrant error answer: the status, and `{status: {error}, time}` with the error's words. */
export function expectQdrantError(res: { status: number; body: any }, status: number, words: string | RegExp): void {
  expect({ status: res.status, body: res.body }).toMatchObject({
    status,
    body: { status: { error: expect.stringMatching(words) }, time: expect.any(Number) },
  });
}
