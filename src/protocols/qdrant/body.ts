import { isObject, type JsonObject } from '../json-guards';
import { QdrantHttpError } from './qdrant-error';

/** A request body, which Qdrant's routes take as a JSON object (none: an empty one). */
export function bodyOf(body: unknown): JsonObject {
  if (body === undefined || body === null || body === '') return {};
  if (!isObject(body)) throw QdrantHttpError.format('the body must be a JSON object');
  return body;
}

/** An unsigned integer field of a request (limit, offset, sample...), or its default when absent. */
export function unsigned(value: unknown, field: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
    throw QdrantHttpError.format(`${field} must be an unsigned integer`);
  return value;
}
