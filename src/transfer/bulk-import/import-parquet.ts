import { InvalidArgumentError } from '../../core/errors';
import type { AsyncBuffer, ParquetMetadata, ParquetReader } from '../parquet-files';

/**
 * A file of an import, as its footer describes it, checked before a row of it is read: a footer
 * is the file's word on its own contents, and a file can lie (a 100-row file whose footer said
 * 10^12 rows held a runner for good).
 */
export interface CheckedFile {
  metadata: ParquetMetadata;
  rows: number;
}

/**
 * Rows a byte of a row group holds at most: every row has an id, and distinct ids take more than
 * a bit each however they are encoded, so a real file holds far fewer, and a footer that says
 * more is not believed.
 */
export const MAX_ROWS_PER_BYTE = 8;

/** A file the runner cannot go on reading: its message becomes the import's error. */
export class ImportFileError extends InvalidArgumentError {}

function count(value: unknown, what: string, where: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new ImportFileError(`${where}: its footer gives ${what} as ${String(value)}, not a count`);
  return n;
}

/**
 * The footer of `file` (`bytes` long) checked: its row count is the sum of its row groups' counts,
 * and no row group claims more rows than its bytes could hold or bytes past the end of the file.
 */
export function checkFooter(metadata: ParquetMetadata, bytes: number, where: string): CheckedFile {
  const rows = count(metadata.num_rows, 'its row count', where);
  let sum = 0;
  metadata.row_groups.forEach((group, g) => {
    const groupRows = count(group.num_rows, `the row count of row group ${g}`, where);
    let compressed = 0;
    for (const column of group.columns) {
      const meta = column.meta_data;
      if (column.file_path || !meta)
        throw new ImportFileError(
          `${where}: row group ${g} keeps a column in another file, which an import cannot read`,
        );
      const size = count(meta.total_compressed_size, `a column's size in row group ${g}`, where);
      const start = count(
        meta.dictionary_page_offset || meta.data_page_offset,
        `a column's offset in row group ${g}`,
        where,
      );
      if (start + size > bytes)
        throw new ImportFileError(
          `${where}: its footer places a column of row group ${g} at bytes ${start} to ${start + size}, past the end of the file (${bytes} bytes)`,
        );
      compressed += size;
    }
    if (groupRows > MAX_ROWS_PER_BYTE * Math.max(compressed, 1))
      throw new ImportFileError(
        `${where}: its footer says row group ${g} holds ${groupRows} rows in ${compressed} bytes, more than that many bytes can hold`,
      );
    sum += groupRows;
  });
  if (sum !== rows) throw new ImportFileError(`${where}: its footer says ${rows} rows, but its row groups hold ${sum}`);
  if (rows > MAX_ROWS_PER_BYTE * bytes)
    throw new ImportFileError(`${where}: its footer says ${rows} rows, more than a file of ${bytes} bytes can hold`);
  return { metadata, rows };
}

/**
 * Rows [start, end) of a checked file. Each column must cover every one of them: a row group
 * whose pages hold fewer rows than its footer says reads short, which fails the import rather
 * than passing rows of missing values on.
 */
export async function readRows(
  reader: ParquetReader,
  buffer: AsyncBuffer,
  file: CheckedFile,
  start: number,
  end: number,
  where: string,
): Promise<Record<string, unknown>[]> {
  const covered = new Map<string, [number, number][]>();
  let rows: Record<string, unknown>[] = [];
  await reader.parquetRead({
    file: buffer,
    metadata: file.metadata,
    rowStart: start,
    rowEnd: end,
    rowFormat: 'object',
    onChunk: ({ columnName, rowStart, rowEnd }) => {
      const spans = covered.get(columnName) ?? [];
      spans.push([rowStart, rowEnd]);
      covered.set(columnName, spans);
    },
    onComplete: (read) => (rows = read),
  });
  const columns = topLevelColumns(file.metadata);
  for (const column of columns) {
    const reached = reach(covered.get(column) ?? [], start);
    if (reached < end)
      throw new ImportFileError(
        `${where}: rows ${start} to ${end} were read, but column ${column} holds values only up to row ${reached}: ` +
          'the file holds fewer rows than its footer says',
      );
  }
  if (rows.length !== end - start)
    throw new ImportFileError(`${where}: rows ${start} to ${end} were read, but ${rows.length} came back`);
  return rows;
}

/** How far from `start` the spans cover without a gap. */
function reach(spans: [number, number][], start: number): number {
  let at = start;
  for (const [from, to] of [...spans].sort((a, b) => a[0] - b[0])) if (from <= at && to > at) at = to;
  return at;
}

/** The names of the schema's top-level fields (the schema is a flattened tree, root first). */
function topLevelColumns(metadata: ParquetMetadata): string[] {
  const names: string[] = [];
  const { schema } = metadata;
  let k = 1;
  const skip = (): void => {
    const children = schema[k++]?.num_children ?? 0;
    for (let c = 0; c < children; c++) skip();
  };
  for (let c = 0; c < (schema[0]?.num_children ?? 0); c++) {
    names.push(schema[k]?.name);
    skip();
  }
  return names;
}
