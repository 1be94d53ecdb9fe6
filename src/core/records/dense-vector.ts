import { endianness } from 'node:os';
import { InvalidArgumentError } from '../errors';
import { MAX_DIMENSION } from '../collections/vector-index';

/** Float32Array shares the host's byte order; on a little-endian host bytes are copied, not read one by one. */
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/**
 * A dense vector as the float32 values pgvector stores. Vectors travel to Postgres in pgvector's
 * binary form: a 500 × 384 batch is 0.8 MB of floats instead of ~4 MB of decimal text that Node
 * would format and Postgres would parse again (docs/hot-path.md).
 */
export class DenseVector {
  private constructor(readonly values: Float32Array) {}

  /** JSON numbers; each is rounded to the nearest float32, as a server that parses into f32 does. */
  static fromNumbers(values: readonly number[]): DenseVector {
    return new DenseVector(Float32Array.from(values));
  }

  /** Little-endian float32 bytes (Chroma's base64 embeddings). */
  static fromFloat32LE(bytes: Buffer): DenseVector {
    const n = bytes.length >> 2;
    const values = new Float32Array(n);
    if (LITTLE_ENDIAN_HOST) new Uint8Array(values.buffer).set(bytes.subarray(0, n * 4));
    else for (let i = 0; i < n; i++) values[i] = bytes.readFloatLE(i * 4);
    return new DenseVector(values);
  }

  /** pgvector's text form (`[1,2.5,3]`), as Postgres prints it back. */
  static fromText(text: string): DenseVector {
    return DenseVector.fromNumbers(JSON.parse(text) as number[]);
  }

  get dimension(): number {
    return this.values.length;
  }

  // Index loops: every() with a callback was several times slower on a whole batch (docs/hot-path.md).
  isZero(): boolean {
    const values = this.values;
    for (let i = 0; i < values.length; i++) if (values[i] !== 0) return false;
    return true;
  }

  /** No NaN or infinity (which base64 float32 bytes can hold, and JSON numbers cannot). */
  isFinite(): boolean {
    const values = this.values;
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
    return true;
  }

  /** The largest magnitude among the values (0 for an empty vector). */
  maxAbs(): number {
    const values = this.values;
    let most = 0;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]);
      if (a > most) most = a;
    }
    return most;
  }

  /** pgvector's binary (send/recv) form: int16 dimension, int16 unused, float4 values, big-endian. */
  writeBinary(out: Buffer, offset: number): number {
    const n = this.values.length;
    // A binary header holds the dimension in 16 bits; longer vectors would wrap into a wrong one.
    if (n > MAX_DIMENSION)
      throw new InvalidArgumentError(`Vector dimension must be at most ${MAX_DIMENSION}, got ${n}`);
    out.writeInt16BE(n, offset);
    out.writeInt16BE(0, offset + 2);
    const start = offset + 4;
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(this.values.buffer, this.values.byteOffset, n * 4), start);
      out.subarray(start, start + n * 4).swap32();
      return start + n * 4;
    }
    for (let i = 0; i < n; i++) out.writeFloatBE(this.values[i], start + i * 4);
    return start + n * 4;
  }

  get binaryLength(): number {
    return 4 + 4 * this.values.length;
  }

  toBinary(): Buffer {
    const out = Buffer.allocUnsafe(this.binaryLength);
    this.writeBinary(out, 0);
    return out;
  }
}

/**
 * A one-dimensional `vector[]` in Postgres's binary array form, for one bind parameter (node-postgres
 * sends a Buffer as binary). The array names its element type by oid, which the extension was
 * given when it was created in that database: Database reads it at boot.
 */
export function vectorArrayParam(vectorOid: number, vectors: readonly (DenseVector | null | undefined)[]): Buffer {
  if (vectors.length === 0) {
    const empty = Buffer.alloc(12); // no dimensions, no nulls
    empty.writeUInt32BE(vectorOid, 8);
    return empty;
  }
  let size = 20;
  for (const v of vectors) size += 4 + (v ? v.binaryLength : 0);
  const out = Buffer.allocUnsafe(size);
  out.writeInt32BE(1, 0); // dimensions of the array
  out.writeInt32BE(vectors.some((v) => !v) ? 1 : 0, 4); // has nulls
  out.writeUInt32BE(vectorOid, 8);
  out.writeInt32BE(vectors.length, 12);
  out.writeInt32BE(1, 16); // lower bound
  let at = 20;
  for (const v of vectors) {
    if (!v) {
      out.writeInt32BE(-1, at);
      at += 4;
      continue;
    }
    out.writeInt32BE(v.binaryLength, at);
    at = v.writeBinary(out, at + 4);
  }
  return out;
}
