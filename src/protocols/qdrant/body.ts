import { isObject, type JsonObject } from '../json-guards';
import { QdrantHttpError } from './qdrant-error';

/** A request body, which Qdrant's routes take as a JSON object (none: an empty one). */
export function bodyOf(body: unknown): JsonObject {
  if (body === undefined || body === null || body === '') return {};
  if (!isObject(body)) throw QdrantHttpError.format('the body must be a JSON object');
  return body;
}
