import { DenseVector } from '../../core/records/dense-vector';
import { ChromaHttpError } from './chroma-error';

/** serde's refusal of what is not an embedding where one belongs (a null included). */
export const NOT_EMBEDDINGS = 'embeddings: data did not match any variant of untagged enum EmbeddingsPayload';
const BASE64_ERROR = 'Base64 decoding error: ';

/**
 * A Chroma embedding: a JSON array of numbers, or base64 of little-endian float32 bytes (what the
 * JS client sends when the server says it supports base64).
 */
export function toDenseVector(value: unknown, field = NOT_EMBEDDINGS): DenseVector {
  if (typeof value === 'string') return decodeBase64(value);
  if (!Array.isArray(value)) throw ChromaHttpError.unprocessable(field);
  for (const x of value) {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw ChromaHttpError.unprocessable(field);
  }
  return DenseVector.fromNumbers(value);
}

const PAD = 61; // '='

/** The value of a standard base64 symbol (A-Z a-z 0-9 + /), or -1. */
function symbolValue(c: number): number {
  if (c >= 65 && c <= 90) return c - 65;
  if (c >= 97 && c <= 122) return c - 71;
  if (c >= 48 && c <= 57) return c + 4;
  if (c === 43) return 62;
  if (c === 47) return 63;
  return -1;
}

/**
 * Why Chroma refuses a string as base64, in its words: its server decodes with Rust's base64
 * crate (standard alphabet, canonical padding, no stray bits in the last symbol), which reads
 * all whole quads but the last, then the last with its padding, and counts offsets in bytes.
 * Called only for a string Chroma refuses, so it always finds a reason.
 */
function base64Refusal(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const n = bytes.length;
  const invalid = (at: number) => `Invalid symbol ${bytes[at]}, offset ${at}.`;
  // A lone last byte that is not base64 (a newline) is named before anything else.
  if (n % 4 === 1 && bytes[n - 1] !== PAD && symbolValue(bytes[n - 1]) < 0) return invalid(n - 1);
  const tail = n % 4 === 0 ? Math.max(0, n - 4) : n - (n % 4);
  for (let i = 0; i < tail; i++) if (symbolValue(bytes[i]) < 0) return invalid(i);
  let padding = 0;
  let firstPad = -1;
  let symbols = 0;
  for (let i = tail; i < n; i++) {
    if (bytes[i] === PAD) {
      if ((i - tail) % 4 < 2) return invalid(padding > 0 ? firstPad : i);
      if (padding === 0) firstPad = i;
      padding++;
    } else if (padding > 0) {
      return invalid(firstPad);
    } else if (symbolValue(bytes[i]) < 0) {
      return invalid(i);
    } else {
      symbols++;
    }
  }
  if (symbols === 1) return `Invalid input length: ${n}`;
  if ((padding + symbols) % 4 !== 0) return 'Invalid padding';
  const last = tail + symbols - 1;
  const stray = symbols === 2 ? 0x0f : symbols === 3 ? 0x03 : 0;
  if (symbols > 0 && (symbolValue(bytes[last]) & stray) !== 0)
    return `Invalid last symbol ${bytes[last]}, offset ${last}.`;
  return 'Invalid padding';
}

/**
 * Node's decoder skips what is not base64, takes input without its padding and ignores stray bits,
 * where Chroma refuses all three: the input is what Chroma takes exactly when it is the canonical
 * encoding of what Node decoded, a check far cheaper than one of every character (docs/hot-path.md).
 */
function decodeBase64(value: string): DenseVector {
  const bytes = Buffer.from(value, 'base64');
  if (bytes.toString('base64') !== value)
    throw ChromaHttpError.invalidArgument(`${BASE64_ERROR}Invalid base64 string: ${base64Refusal(value)}`);
  if (bytes.length % 4 !== 0) {
    throw ChromaHttpError.invalidArgument(
      `${BASE64_ERROR}Invalid byte length: ${bytes.length} bytes cannot be converted to f32 values (must be divisible by 4)`,
    );
  }
  const vector = DenseVector.fromFloat32LE(bytes);
  if (!vector.isFinite()) throw ChromaHttpError.invalidArgument('Embeddings must be finite numbers');
  return vector;
}
