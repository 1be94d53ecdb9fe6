import type { ChromaSqlite } from './chroma-sqlite';
import type { HnswSegment } from './hnsw-segment';

/** Chroma's write-ahead log operations (its protobuf Operation enum). */
const ADD = 0;
const UPDATE = 1;
const UPSERT = 2;
const DELETE = 3;

/** Stands for a record the log deleted after the HNSW files were written. */
const DELETED = null;

function decode(blob: Uint8Array, encoding: string | null, where: string): number[] {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = new Array<number>(blob.byteLength / 4);
  if (encoding === 'INT32') for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  else if (encoding === 'FLOAT32' || encoding === null)
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  else throw new Error(`${where}: a vector in ${encoding} encoding`);
  return out;
}

/**
 * A collection's vectors: those its HNSW files hold, with the writes of Chroma's log
 * (`embeddings_queue`) after them replayed on top, by Chroma's rules (an add of an existing id
 * changes nothing, an update of a missing one neither). Chroma writes the HNSW files only every
 * `sync_threshold` writes, so the newest vectors, and every vector of a small collection, are
 * only in the log.
 */
export class CollectionVectors {
  private readonly queued = new Map<string, number[] | typeof DELETED>();

  constructor(
    db: ChromaSqlite,
    collectionId: string,
    /** The last write the HNSW files hold (-1: none). */
    flushedSeqId: number,
    private readonly hnsw: HnswSegment | null,
  ) {
    const rows = db.all(
      `SELECT seq_id, operation, id, vector, encoding FROM embeddings_queue
        WHERE topic LIKE ? AND seq_id > ? ORDER BY seq_id`,
      [`%/${collectionId}`, flushedSeqId],
    );
    for (const row of rows) {
      const id = String(row.id);
      const vector =
        row.vector instanceof Uint8Array
          ? decode(row.vector, row.encoding === null ? null : String(row.encoding), `log entry ${row.seq_id}`)
          : null;
      const op = Number(row.operation);
      if (op === DELETE) this.queued.set(id, DELETED);
      else if (op === UPSERT || (op === ADD && !this.has(id))) {
        if (vector) this.queued.set(id, vector);
      } else if (op === UPDATE && this.has(id) && vector) this.queued.set(id, vector);
    }
  }

  private has(id: string): boolean {
    const queued = this.queued.get(id);
    if (queued !== undefined) return queued !== DELETED;
    return this.hnsw?.has(id) ?? false;
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
