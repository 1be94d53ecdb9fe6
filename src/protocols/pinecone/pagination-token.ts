import { PineconeDataError } from './pinecone-error';

/** Opaque keyset tokens: the last key of a page, base64url-encoded. */
export function encodeToken(lastKey: string): string {
  return Buffer.from(lastKey, 'utf8').toString('base64url');
}

export function decodeToken(token: unknown): string | null {
  // null is what a JSON client sends for "no token" (the generated clients serialise an unset field so).
  if (token === undefined || token === null || token === '') return null;
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]+$/.test(token))
    throw PineconeDataError.invalid('Invalid pagination token');
  return Buffer.from(token, 'base64url').toString('utf8');
}

/** `limit` from a query string: an integer in [1, max], or the default when absent. */
export function limitParam(raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
    throw PineconeDataError.invalid(`limit must be an integer between 1 and ${max}`);
  return Number(raw);
}
