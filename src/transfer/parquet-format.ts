import type { TransferCollection, TransferRecord } from './transfer.model';

/**
 * Parquet in Pinecone's import layout (docs/moving.md): a directory per namespace (`__default__`
 * for the default one) of `.parquet` files with the columns `id` (string), `values`
 * (list<float>), `sparse_values` (struct of `indices` list<uint32> and `values` list<float>,
 * optional) and `metadata` (a JSON string, optional). vecgate adds `document` and `uri` columns
 * when a collection has any, and its collection header as the file's key-value metadata
 * `vecgate`, so that an import restores the collection's name, metric and metadata.
 */
export const DEFAULT_NAMESPACE_DIR = '__default__';
export const HEADER_KEY = 'vecgate';
/** Records per file: each file is built in memory, so this bounds an export's memory. */
export const RECORDS_PER_FILE = 50_000;
/**
 * Rows per row group, and per read: a reader decodes whole row groups, so the source reads this
 * many rows at once and serves its pages from them (reading each 1,000-row page on its own
 * decoded the whole 50,000-row group fifty times: 1,000 records/s at 384 dimensions).
 */
export const ROWS_PER_CHUNK = 10_000;
/**
 * The most bytes of values one row group of an export holds: a bulk import refuses groups past
 * VECGATE_IMPORT_MAX_ROW_GROUP_MB (128 by default), and 10,000 rows of 3,400 dimensions pass it.
 */
export const ROW_GROUP_BYTES = 32 * 1024 * 1024;

/** Rows per row group for these records: ROWS_PER_CHUNK, or fewer where their values pass ROW_GROUP_BYTES. */
export function rowGroupRows(rows: TransferRecord[]): number {
  let bytes = 0;
  for (const r of rows)
    bytes +=
      16 +
      Buffer.byteLength(r.id) +
      4 * (r.embedding?.length ?? 0) +
      8 * (r.sparse?.indices.length ?? 0) +
      (r.metadata ? Buffer.byteLength(JSON.stringify(r.metadata)) : 0) +
      (r.document ? Buffer.byteLength(r.document) : 0) +
      (r.uri ? Buffer.byteLength(r.uri) : 0);
  const perRow = rows.length > 0 ? bytes / rows.length : 1;
  return Math.max(1, Math.min(ROWS_PER_CHUNK, Math.floor(ROW_GROUP_BYTES / perRow)));
}

const list = (name: string, type: Record<string, unknown>) => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'REQUIRED', ...type },
];

/** The file's schema; `text` adds vecgate's document and uri columns. */
export function parquetSchema(text: boolean): Record<string, unknown>[] {
  return [
    { name: 'root', num_children: text ? 6 : 4 },
    { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    ...list('values', { type: 'FLOAT' }),
    { name: 'sparse_values', repetition_type: 'OPTIONAL', num_children: 2 },
    ...list('indices', { type: 'INT32', converted_type: 'UINT_32' }),
    ...list('values', { type: 'FLOAT' }),
    { name: 'metadata', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ...(text
      ? [
          { name: 'document', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'uri', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        ]
      : []),
  ];
}

export interface ParquetHeader {
  collection: TransferCollection;
}
