import { NotFoundError } from '../../core/errors';
import type { ChromaHttpError } from './chroma-error';

/** Chroma words "database not found" differently per endpoint; this swaps in the endpoint's words. */
export async function withDatabaseNotFound<T>(work: Promise<T>, reword: (name: string) => ChromaHttpError): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof NotFoundError && err.entity === 'database') throw reword(err.key);
    throw err;
  }
}
