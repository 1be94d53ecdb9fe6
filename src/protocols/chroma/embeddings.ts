import { VectorText } from '../../records/record.model';
import { ChromaHttpError } from './chroma-error';

const NOT_EMBEDDINGS = 'embeddings: data did not match any variant of untagged enum EmbeddingsPayload';

/**
 * A Chroma embedding as pgvector text: a JSON array of numbers, or base64 of little-endian float32
 * bytes (what the JS client sends when the server says it supports base64).
 */
export function toVectorText(value: unknown, field = NOT_EMBEDDINGS): VectorText {
  if (typeof value === 'string') return decodeBase64(value, field);
  if (!Array.isArray(value)) throw ChromaHttpError.unprocessable(field);
  for (const x of value) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw ChromaHttpError.unprocessable(field);
  }
  // pgvector reads a JSON array of numbers as is.
  return { text: JSON.stringify(value), dimension: value.length };
}

function decodeBase64(value: string, field: string): VectorText {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw ChromaHttpError.unprocessable(field);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length % 4 !== 0) throw ChromaHttpError.invalidArgument('Base64 embedding length is not a multiple of 4 bytes');
  const n = bytes.length / 4;
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const x = bytes.readFloatLE(i * 4);
    if (!Number.isFinite(x)) throw ChromaHttpError.invalidArgument('Embeddings must be finite numbers');
    parts[i] = String(x);
  }
  return { text: `[${parts.join(',')}]`, dimension: n };
}

/** pgvector's text form back to numbers. */
export function parseVectorText(text: string): number[] {
  return JSON.parse(text);
}
