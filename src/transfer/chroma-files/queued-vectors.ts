import type { ChromaSqlite } from './chroma-sqlite';
import type { HnswSegment } from './hnsw-segment';

/** Chroma's write-ahead log operations (its protobuf Operation enum). */
const ADD = 0;
const UPDATE = 1;
const UPSERT = 2;
const DELETE = 3;

/** Stands for a record the log deleted after the HNSW files were written. */
const DELETED = null;

/** A log entry's vector: float32 (or int32) little-endian values, as many as the collection's dimension. */
function decode(blob: Uint8Array, encoding: string | null, dimension: number | null, where: string): number[] {
  if (encoding !== null && encoding !== 'FLOAT32' && encoding !== 'INT32')
    throw new Error(`${where}: a vector in ${encoding} encoding`);
  if (blob.byteLength % 4 !== 0 || blob.byteLength === 0)
    throw new Error(`${where}: a vector of ${blob.byteLength} bytes, not a whole number of 4-byte values`);
  if (dimension !== null && blob.byteLength !== dimension * 4)
    throw new Error(`${where}: a vector of ${blob.byteLength / 4} values; the collection's dimension is ${dimension}`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new Array<number>(blob.byteLength / 4);
  if (encoding === 'INT32') for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  else for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * A collection's vectors: those its HNSW files hold, with the writes of Chroma's log
 * (`embeddings_queue`) after them replayed on top, by Chroma's rules (an add of an existing id
 * changes nothing, an update of a missing one neither). Chroma writes the HNSW files only every
 * `sync_threshold` writes, so the newest vectors, and every vector of a small collection, are
 * only in the log. Every entry replayed is checked: a known operation, an id, and a vector of
 * the collection's dimension (chroma.sqlite3's, else the HNSW files', else the first entry's).
 */
export class CollectionVectors {
  private readonly queued = new Map<string, number[] | typeof DELETED>();

  constructor(
    db: ChromaSqlite,
    collectionId: string,
    /** The last write the HNSW files hold (-1: none). */
    flushedSeqId: number,
    private readonly hnsw: HnswSegment | null,
    dimension: number | null,
  ) {
    let expected = dimension ?? hnsw?.dimension ?? null;
    db.each(
      `SELECT seq_id, operation, id, vector, encoding FROM embeddings_queue
        WHERE topic LIKE ? AND seq_id > ? ORDER BY seq_id`,
      [`%/${collectionId}`, flushedSeqId],
      (row) => {
        const where = `${db.file}: embeddings_queue entry ${String(row.seq_id)}`;
        const op = row.operation;
        if (op !== ADD && op !== UPDATE && op !== UPSERT && op !== DELETE)
          throw new Error(`${where}: operation ${String(op)}, which Chroma does not write`);
        if (typeof row.id !== 'string') throw new Error(`${where}: an id that is not text`);
        if (row.vector !== null && !(row.vector instanceof Uint8Array))
          throw new Error(`${where}: a vector that is not a blob`);
        const vector =
          row.vector && op !== DELETE
            ? decode(row.vector, row.encoding === null ? null : String(row.encoding), expected, where)
            : null;
        expected ??= vector?.length ?? null;
        const id = row.id;
        if (op === DELETE) this.queued.set(id, DELETED);
        else if (op === UPSERT || (op === ADD && !this.has(id))) {
          if (vector) this.queued.set(id, vector);
        } else if (op === UPDATE && this.has(id) && vector) this.queued.set(id, vector);
      },
    );
  }

  private has(id: string): boolean {
    const queued = this.queued.get(id);
    if (queued !== undefined) return queued !== DELETED;
    return this.hnsw?.has(id) ?? false;
  }

  /** Whether a vector is there for the id, without reading it. */
  holds(id: string): boolean {
    const queued = this.queued.get(id);
    if (queued !== undefined) return queued !== DELETED;
    return this.hnsw?.holds(id) ?? false;
  }

  vector(id: string): number[] | null {
    const queued = this.queued.get(id);
    if (queued !== undefined) return queued;
    return this.hnsw?.vector(id) ?? null;
  }

  close(): void {
    this.hnsw?.close();
  }
}
