import { checkStorableJsonText, UnstorableTextError } from '../../common/json-text';
import { isObject, type JsonObject } from '../json-guards';
import { QdrantHttpError } from './qdrant-error';

/**
 * vecgate's collection snapshot file: JSON Lines, UTF-8. The first line is the header, each
 * further line one point as an upsert's `points` holds it (`{"id", "vector", "payload"}`), in id
 * order. Qdrant's own snapshots are its segment files, which nothing outside Qdrant reads; this
 * one any tool can (docs/protocols/qdrant.md, "Snapshots").
 */
export const SNAPSHOT_FORMAT = 'vecgate-qdrant-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  /** The collection it was taken of. */
  collection: string;
  created_at: string;
  points_count: number;
  /** A create-collection body that makes the collection again (vectors, sparse_vectors, hnsw_config, ...). */
  config: JsonObject;
  /** Payload indexes: key → field schema. */
  payload_schema: Record<string, unknown>;
}

/**
 * On a point line, beside `id`: the id is the record's as stored, to be restored as it is. Written
 * for records whose id is no Qdrant point id (written through Chroma, Pinecone or Vectorizer: `a`,
 * `doc-1`, `007`, an uppercase UUID), which an upsert refuses or would respell; without it a line's
 * id is read as an upsert reads it. So vecgate reads back every id it wrote.
 */
export const KEEP_ID = 'vecgate_keep_id';

/**
 * The id a point line asks to keep as it is (KEEP_ID), or undefined; the line is left as an
 * upsert's point, its id a placeholder the caller replaces with the kept one.
 */
export function takeKeptId(point: unknown, lineNo: number): string | undefined {
  if (!isObject(point) || !(KEEP_ID in point)) return undefined;
  const keep = point[KEEP_ID];
  delete point[KEEP_ID];
  if (keep !== true) throw QdrantHttpError.badRequest(`snapshot line ${lineNo}: ${KEEP_ID} must be true when present`);
  if (typeof point.id !== 'string' || point.id === '')
    throw QdrantHttpError.badRequest(
      `snapshot line ${lineNo}: ${KEEP_ID} keeps a string id, and this line's id is none`,
    );
  const id = point.id;
  point.id = 0;
  return id;
}

/** Points per batch when a snapshot is read or written. */
export const SNAPSHOT_BATCH = 500;

/**
 * `<collection>-<backup id>-<YYYY-MM-DD-HH-MM-SS>.snapshot`, as Qdrant names them: the backup's
 * id, which the name carries, is what finds it again.
 */
export function snapshotName(collection: string, backupId: string, at: Date): string {
  const stamp = at.toISOString().slice(0, 19).replace(/[T:]/g, '-');
  return `${collection}-${backupId}-${stamp}.snapshot`;
}

const NAMED =
  /-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.snapshot$/;

/** The backup id a snapshot's name carries, or null for a name vecgate did not give. */
export function backupIdOf(name: string): string | null {
  return NAMED.exec(name)?.[1] ?? null;
}

/** A line of the file as JSON, checked as a request body is (no NUL, no lone surrogate); undefined when it is no JSON. */
function lineJson(line: string, lineNo: number): unknown {
  try {
    checkStorableJsonText(line);
    return JSON.parse(line);
  } catch (err) {
    if (err instanceof UnstorableTextError) throw QdrantHttpError.badRequest(`snapshot line ${lineNo}: ${err.message}`);
    return undefined;
  }
}

/** The header line of a snapshot file, checked. */
export function parseHeader(line: string): SnapshotHeader {
  const header = lineJson(line, 1);
  if (header === undefined)
    throw QdrantHttpError.badRequest(`not a vecgate snapshot: its first line is no JSON header`);
  if (!isObject(header) || header.format !== SNAPSHOT_FORMAT)
    throw QdrantHttpError.badRequest(
      `not a vecgate snapshot (format ${JSON.stringify(SNAPSHOT_FORMAT)}): Qdrant's own snapshot files cannot be read outside Qdrant; move such a collection with \`vecgate import --type qdrant\``,
    );
  if (header.version !== SNAPSHOT_VERSION)
    throw QdrantHttpError.badRequest(
      `vecgate snapshot version ${String(header.version)} is not one this gateway reads`,
    );
  if (!isObject(header.config)) throw QdrantHttpError.badRequest('the snapshot header holds no config');
  return header as unknown as SnapshotHeader;
}

/** One point line, parsed (its checks are the upsert's). */
export function parsePoint(line: string, lineNo: number): unknown {
  const point = lineJson(line, lineNo);
  if (point === undefined) throw QdrantHttpError.badRequest(`snapshot line ${lineNo} is not JSON`);
  return point;
}
