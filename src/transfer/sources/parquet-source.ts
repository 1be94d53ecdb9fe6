import { basename } from 'node:path';
import type { Metric } from '../../core/collections/collection.model';
import { HEADER_KEY, ROWS_PER_CHUNK, type ParquetHeader } from '../parquet-format';
import { listParquetParts, recordFromRow } from '../parquet-layout';
import { parquetReader, type ParquetReader } from '../parquet-files';
import { type Page, type Source, SourceError, type TransferCollection, type TransferRecord } from '../transfer.model';

interface PartFile {
  namespace: string;
  path: string;
  rows: number;
}

interface Cursor {
  file: number;
  row: number;
}

const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : (v as number));

/**
 * Parquet in Pinecone's import layout (parquet-format.ts): one file, or a directory whose
 * subdirectories are namespaces (`__default__` the default one) and whose own files belong to
 * the default namespace. The collection is the one named in vecgate's header when the files have
 * it; otherwise the directory's name, `metric` (Pinecone's files do not say), and the first
 * vector's length.
 */
export class ParquetSource implements Source {
  readonly label: string;
  private files?: PartFile[];
  private reader?: ParquetReader;
  private header?: ParquetHeader;
  /** The rows last read: a chunk of one file, from row `start`. */
  private chunk?: { file: number; start: number; rows: Record<string, unknown>[] };

  constructor(
    private readonly path: string,
    private readonly metric: Metric,
  ) {
    this.label = `parquet ${path}`;
  }

  private async open(): Promise<PartFile[]> {
    if (this.files) return this.files;
    this.reader = await parquetReader();
    const parts = listParquetParts(this.path);
    if (parts.length === 0) throw new SourceError(`${this.path}: no .parquet files`);
    this.files = [];
    for (const part of parts) {
      const metadata = await this.reader.parquetMetadataAsync(await this.reader.asyncBufferFromFile(part.path));
      const header = metadata.key_value_metadata?.find((kv) => kv.key === HEADER_KEY)?.value;
      if (header && !this.header) this.header = JSON.parse(header) as ParquetHeader;
      this.files.push({ ...part, rows: num(metadata.num_rows) });
    }
    return this.files;
  }

  private async rows(file: PartFile, start: number, end: number): Promise<Record<string, unknown>[]> {
    const reader = this.reader!;
    return reader.parquetReadObjects({
      file: await reader.asyncBufferFromFile(file.path),
      rowStart: start,
      rowEnd: end,
    });
  }

  private record(namespace: string, row: Record<string, unknown>, where: string): TransferRecord {
    return recordFromRow(namespace, row, where);
  }

  async collections(): Promise<TransferCollection[]> {
    const files = await this.open();
    if (this.header) return [this.header.collection];
    const first = (await this.rows(files[0], 0, 1))[0];
    const dimension = Array.isArray(first?.values) && first.values.length ? first.values.length : null;
    return [{ name: basename(this.path).replace(/\.parquet$/, ''), metric: this.metric, dimension, metadata: null }];
  }

  async page(_collection: TransferCollection, cursor: string | null, size: number): Promise<Page> {
    const files = await this.open();
    const at: Cursor = cursor ? JSON.parse(cursor) : { file: 0, row: 0 };
    if (at.file >= files.length) return { records: [], next: null };
    const file = files[at.file];
    const end = Math.min(file.rows, at.row + size);
    const c = this.chunk;
    if (!c || c.file !== at.file || at.row < c.start || end > c.start + c.rows.length) {
      const chunkEnd = Math.min(file.rows, Math.max(end, at.row + ROWS_PER_CHUNK));
      this.chunk = { file: at.file, start: at.row, rows: await this.rows(file, at.row, chunkEnd) };
    }
    const { start, rows } = this.chunk!;
    const records = rows.slice(at.row - start, end - start).map((r) => this.record(file.namespace, r, file.path));
    const next: Cursor | null =
      end < file.rows ? { file: at.file, row: end } : at.file + 1 < files.length ? { file: at.file + 1, row: 0 } : null;
    return { records, next: next ? JSON.stringify(next) : null };
  }

  async count(): Promise<number> {
    return (await this.open()).reduce((s, f) => s + f.rows, 0);
  }

  async fetch(_c: TransferCollection, namespace: string, ids: string[]): Promise<TransferRecord[]> {
    const wanted = new Set(ids);
    const found: TransferRecord[] = [];
    for (const file of await this.open()) {
      if (file.namespace !== namespace) continue;
      for (const row of await this.rows(file, 0, file.rows))
        if (wanted.has(row.id as string)) found.push(this.record(namespace, row, file.path));
    }
    return found;
  }
}
