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

function decodeBase64(value: string, field: string): DenseVector {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw ChromaHttpError.unprocessable(field);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length % 4 !== 0) throw ChromaHttpError.invalidArgument('Base64 embedding length is not a multiple of 4 bytes');
  const vector = DenseVector.fromFloat32LE(bytes);
  if (!vector.values.every(Number.isFinite)) throw ChromaHttpError.invalidArgument('Embeddings must be finite numbers');
  return vector;
}
