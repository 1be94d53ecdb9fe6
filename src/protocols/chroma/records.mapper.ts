import { and, ALL, type FilterNode } from '../../core/filters/filter-ast';
import type { DenseVector } from '../../core/records/dense-vector';
import type { Include, Neighbour, RecordWrite, StoredRecord, WriteMode } from '../../core/records/record.model';
import { RawJson } from '../../common/raw-json';
import type { Collection, Metric } from '../../core/collections/collection.model';
import { ChromaHttpError } from './chroma-error';
import { MAX_BATCH_SIZE } from './chroma-limits';
import { toDenseVector } from './embeddings';
import { checkMetadata } from './metadata';
import type { RecordSetDto } from './dto/records.dto';
import { parseWhere, parseWhereDocument } from './chroma-filter.parser';
import {
  MAX_FLOAT32,
  MAX_SPARSE_NONZERO_STORED,
  sparsevecText,
  SPARSE_DIMENSIONS,
} from '../../core/records/sparse-vector';
import { isObject } from '../json-guards';

const INCLUDE_VALUES = ['distances', 'documents', 'embeddings', 'metadatas', 'uris'];
export const DEFAULT_GET_INCLUDE = ['documents', 'metadatas'];
export const DEFAULT_QUERY_INCLUDE = ['documents', 'metadatas', 'distances'];

function optionalStrings(field: string, values: unknown[] | null | undefined): (string | null)[] | undefined {
  if (values === null || values === undefined) return undefined;
  for (const v of values)
    if (v !== null && typeof v !== 'string')
      throw ChromaHttpError.unprocessable(`${field}: invalid type: expected a string or null`);
  return values as (string | null)[];
}

/** The refusal of a write without embeddings to a collection the gateway does not embed for. */
export const EMBEDDINGS_REQUIRED =
  'Embeddings are required: vecgate stores vectors and does not compute them; embed on the client and send embeddings';

/**
 * Whether some record of an add, upsert or update goes without an embedding of its own (no
 * `embeddings`, or a null in it): with documents, the ones a mapped embedding function embeds.
 */
export function lacksEmbeddings(dto: RecordSetDto, mode: WriteMode): boolean {
  if (dto.ids.length === 0) return false;
  if (mode === 'update' && !Array.isArray(dto.documents)) return false;
  return !Array.isArray(dto.embeddings) || dto.embeddings.some((e) => e === null || e === undefined);
}

/**
 * A Chroma record set (add, upsert, update) as neutral writes. With `embedsDocuments`, a record
 * may come without an embedding (none sent, or null): the caller then embeds its document with the
 * collection's mapped embedding function, or refuses the write.
 */
export function recordsFromPayload(dto: RecordSetDto, mode: WriteMode, embedsDocuments = false): RecordWrite[] {
  const n = dto.ids.length;
  const embeddings = dto.embeddings ?? undefined;
  const documents = optionalStrings('documents', dto.documents);
  const uris = optionalStrings('uris', dto.uris);
  const metadatas = dto.metadatas ?? undefined;
  for (const column of [embeddings, documents, uris, metadatas]) {
    if (column && column.length !== n)
      throw ChromaHttpError.invalidArgument('Inconsistent number of IDs, embeddings, documents, URIs and metadatas');
  }
  if (n > MAX_BATCH_SIZE) {
    throw ChromaHttpError.invalidArgument(
      `Cannot submit ${n} records at once: the maximum batch size is ${MAX_BATCH_SIZE} (pre-flight-checks max_batch_size)`,
    );
  }
  if (dto.ids.some((id) => id.length === 0))
    throw ChromaHttpError.invalidArgument('Empty ID, ID must have at least one character');
  // Chroma's own server accepts these and then fails (500) while indexing; a vector store needs vectors.
  if (mode !== 'update' && n > 0 && !embeddings && !embedsDocuments)
    throw ChromaHttpError.invalidArgument(EMBEDDINGS_REQUIRED);
  const records: RecordWrite[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const record: RecordWrite = { id: dto.ids[i] };
    if (embeddings && (!embedsDocuments || (embeddings[i] !== null && embeddings[i] !== undefined)))
      record.embedding = toDenseVector(embeddings[i]);
    // In a merge, a null document or uri means "not sent": the stored one is kept.
    if (documents && (documents[i] !== null || mode === 'add')) record.document = documents[i];
    if (uris && (uris[i] !== null || mode === 'add')) record.uri = uris[i];
    if (metadatas) record.metadata = checkMetadata(`metadatas[${i}]`, metadatas[i], mode !== 'add');
    records[i] = record;
  }
  return records;
}

/**
 * The collection's indexed sparse key (its schema's sparse_vector_index) in each record's metadata,
 * copied to the record's sparse vector, which sparse searches read. A write that gives the key
 * anything else (null removes it) clears the sparse vector: an empty one, stored as none.
 */
export function indexSparseKey(records: RecordWrite[], key: string): void {
  for (const record of records) {
    // Own keys only: `key in` would find `constructor` or `toString` in every metadata.
    if (!record.metadata || !Object.hasOwn(record.metadata, key)) continue;
    const value = record.metadata[key];
    if (isObject(value) && Array.isArray(value.values)) {
      if (value.values.length > MAX_SPARSE_NONZERO_STORED)
        throw ChromaHttpError.invalidArgument(
          `Sparse vector of record ${JSON.stringify(record.id)} under '${key}' has ${value.values.length} values; at most ${MAX_SPARSE_NONZERO_STORED} are indexed`,
        );
      if (value.values.some((v) => Math.abs(v as number) > MAX_FLOAT32))
        throw ChromaHttpError.invalidArgument(
          `Sparse vector of record ${JSON.stringify(record.id)} under '${key}' holds a value past the float32 range`,
        );
    }
    record.sparse =
      isObject(value) && Array.isArray(value.indices) && Array.isArray(value.values)
        ? sparsevecText(value.indices as number[], value.values as number[])
        : { text: `{}/${SPARSE_DIMENSIONS}` };
  }
}

export function queryVectors(values: unknown[]): DenseVector[] {
  return values.map((v) =>
    toDenseVector(v, 'query_embeddings: data did not match any variant of untagged enum EmbeddingsPayload'),
  );
}

/** ids, where and where_document together (they are AND-ed). */
export function filterFrom(dto: { ids?: string[] | null; where?: unknown; where_document?: unknown }): FilterNode {
  const parts: FilterNode[] = [];
  if (dto.ids !== undefined && dto.ids !== null) parts.push({ kind: 'idIn', ids: dto.ids });
  if (dto.where !== undefined && dto.where !== null) parts.push(parseWhere(dto.where));
  if (dto.where_document !== undefined && dto.where_document !== null)
    parts.push(parseWhereDocument(dto.where_document));
  return parts.length ? and(...parts) : ALL;
}

export function parseInclude(list: unknown[] | undefined, fallback: string[]): { wire: string[]; include: Include } {
  const wire = (list ?? fallback) as string[];
  for (const value of wire) {
    if (!INCLUDE_VALUES.includes(value)) {
      throw ChromaHttpError.unprocessable(
        `include: unknown variant \`${String(value)}\`, expected one of ${INCLUDE_VALUES.map((v) => `\`${v}\``).join(', ')}`,
      );
    }
  }
  return {
    wire,
    include: {
      embeddings: wire.includes('embeddings'),
      documents: wire.includes('documents'),
      metadatas: wire.includes('metadatas'),
      uris: wire.includes('uris'),
    },
  };
}

export function getResponse(records: StoredRecord[], wire: string[], include: Include) {
  return {
    ids: records.map((r) => r.id),
    // A record written through Qdrant without its dense vector has none to show: null in its place.
    embeddings: include.embeddings ? records.map((r) => (r.embedding ? new RawJson(r.embedding) : null)) : null,
    documents: include.documents ? records.map((r) => r.document ?? null) : null,
    uris: include.uris ? records.map((r) => r.uri ?? null) : null,
    metadatas: include.metadatas ? records.map((r) => r.metadata ?? null) : null,
    include: wire,
  };
}

/** Chroma's distances: squared L2, 1 − dot for ip, 1 − cos for cosine (pgvector's <#> is −dot). */
export function chromaDistance(metric: Metric, raw: number): number {
  if (metric === 'l2') return f32(raw * raw);
  if (metric === 'ip') return f32(1 + raw);
  return f32(raw);
}

/**
 * Chroma computes distances in float32 and prints the shortest text that reads back as the same
 * float32 (8, not 8.000000000000002); this does the same for a float64 computed by Postgres.
 */
export function f32(x: number): number {
  const target = Math.fround(x);
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(x.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return target;
}

export function queryResponse(collection: Collection, lists: Neighbour[][], wire: string[], include: Include) {
  const distances = wire.includes('distances');
  return {
    ids: lists.map((l) => l.map((r) => r.id)),
    embeddings: include.embeddings ? lists.map((l) => l.map((r) => new RawJson(r.embedding!))) : null,
    documents: include.documents ? lists.map((l) => l.map((r) => r.document ?? null)) : null,
    uris: include.uris ? lists.map((l) => l.map((r) => r.uri ?? null)) : null,
    metadatas: include.metadatas ? lists.map((l) => l.map((r) => r.metadata ?? null)) : null,
    distances: distances ? lists.map((l) => l.map((r) => chromaDistance(collection.metric, r.distance))) : null,
    include: wire,
  };
}
