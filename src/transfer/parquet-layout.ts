import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NAMESPACE_DIR } from './parquet-format';
import { SourceError, type TransferRecord } from './transfer.model';

/** A .parquet file of an import and the namespace its records go to. */
export interface ParquetPart {
  namespace: string;
  path: string;
}

const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : (v as number));

/**
 * The files of Pinecone's import layout (parquet-format.ts), in the order they are read: one file,
 * or a directory whose own files belong to the default namespace and whose subdirectories are
 * namespaces (`__default__` the default one). Other files are ignored, as Pinecone ignores them.
 */
export function listParquetParts(path: string): ParquetPart[] {
  const parts: ParquetPart[] = [];
  const parquetIn = (dir: string) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.parquet'))
      .sort()
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile());
  if (!statSync(path).isDirectory()) return [{ namespace: '', path }];
  for (const file of parquetIn(path)) parts.push({ namespace: '', path: file });
  for (const entry of readdirSync(path).sort()) {
    const dir = join(path, entry);
    if (!statSync(dir).isDirectory()) continue;
    const namespace = entry === DEFAULT_NAMESPACE_DIR ? '' : entry;
    for (const file of parquetIn(dir)) parts.push({ namespace, path: file });
  }
  return parts;
}

/** A row of the layout's columns as a record; a row that is not one throws SourceError, `where` first. */
export function recordFromRow(namespace: string, row: Record<string, unknown>, where: string): TransferRecord {
  if (typeof row.id !== 'string') throw new SourceError(`${where}: a row without a string id`);
  const sparse = row.sparse_values as { indices?: unknown[]; values?: unknown[] } | null | undefined;
  let metadata: Record<string, unknown> | null = null;
  if (typeof row.metadata === 'string' && row.metadata) {
    try {
      metadata = JSON.parse(row.metadata);
    } catch {
      throw new SourceError(`${where}: the metadata of ${row.id} is not JSON`);
    }
  }
  return {
    namespace,
    id: row.id,
    embedding: Array.isArray(row.values) && row.values.length ? (row.values as number[]) : null,
    sparse:
      sparse && Array.isArray(sparse.indices) && Array.isArray(sparse.values) && sparse.indices.length
        ? { indices: sparse.indices.map(num), values: sparse.values as number[] }
        : null,
    document: typeof row.document === 'string' ? row.document : null,
    uri: typeof row.uri === 'string' ? row.uri : null,
    metadata,
  };
}
