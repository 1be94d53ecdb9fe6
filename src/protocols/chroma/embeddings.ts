import { DenseVector } from '../../records/dense-vector';
import { ChromaHttpError } from './chroma-error';

const NOT_EMBEDDINGS = 'embeddings: data did not match any variant of untagged enum EmbeddingsPayload';

/**
 * A Chroma embedding: a JSON array of numbers, or base64 of little-endian float32 bytes (what the
 * JS client sends when the server says it supports base64).
 */
export function toDenseVector(value: unknown, field = NOT_EMBEDDINGS): DenseVector {
  if (typeof value === 'string') return decodeBase64(value, field);
  if (!Array.isArray(value)) throw ChromaHttpError.unprocessable(field);
  for (const x of value) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw ChromaHttpError.unprocessable(field);
  }
  return DenseVector.fromNumbers(value);
}

/** Standard base64 (A-Z a-z 0-9 + /, up to two = at the end); a loop is several times faster than a regex here. */
function isBase64(value: string): boolean {
  let end = value.length;
  if (end > 0 && value.charCodeAt(end - 1) === 61) end--;
  if (end > 0 && value.charCodeAt(end - 1) === 61) end--;
  for (let i = 0; i < end; i++) {
    const c = value.charCodeAt(i);
    // A-Z, a-z, '/' and 0-9 (47..57), '+'
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 47 && c <= 57) || c === 43)) return false;
  }
  return true;
}

function decodeBase64(value: string, field: string): DenseVector {
  if (!isBase64(value)) throw ChromaHttpError.unprocessable(field);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length % 4 !== 0) throw ChromaHttpError.invalidArgument('Base64 embedding length is not a multiple of 4 bytes');
  const vector = DenseVector.fromFloat32LE(bytes);
  if (!vector.values.every(Number.isFinite)) throw ChromaHttpError.invalidArgument('Embeddings must be finite numbers');
  return vector;
}
