import { InvalidArgumentError } from '../../core/errors';
import type { AsyncBuffer, PageHeader, PageHeaderReader, ParquetMetadata, ParquetReader } from '../parquet-files';
import { ROWS_PER_CHUNK } from '../parquet-format';
import type { ImportOptions } from './import-options';

/**
 * A file of an import, as its footer describes it, checked before a row of it is read: a footer
 * is the file's word on its own contents, and a file can lie (a 100-row file whose footer said
 * 10^12 rows held a runner for good).
 */
export interface CheckedFile {
  metadata: ParquetMetadata;
  rows: number;
  /** Where each row group starts, and one entry more: the file's row count. */
  groupStarts: number[];
}

/**
 * Rows a byte of a row group holds at most: every row has an id, and distinct ids take more than
 * a bit each however they are encoded, so a real file holds far fewer, and a footer that says
 * more is not believed.
 */
export const MAX_ROWS_PER_BYTE = 8;

const MB = 1024 * 1024;

/** A file the runner cannot go on reading: its message becomes the import's error. */
export class ImportFileError extends InvalidArgumentError {}

function count(value: unknown, what: string, where: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new ImportFileError(`${where}: its footer gives ${what} as ${String(value)}, not a count`);
  return n;
}

const megabytes = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

/**
 * The footer of `file` (`bytes` long) checked: its row count is the sum of its row groups' counts,
 * no row group claims more rows than its bytes could hold or bytes past the end of the file, and
 * each row group is within the server's limits (a row group is decoded whole, whatever part of it
 * is read).
 */
export function checkFooter(
  metadata: ParquetMetadata,
  bytes: number,
  where: string,
  limits: Pick<ImportOptions, 'maxRowGroupRows' | 'maxRowGroupBytes'>,
): CheckedFile {
  const rows = count(metadata.num_rows, 'its row count', where);
  const groupStarts = [0];
  let sum = 0;
  metadata.row_groups.forEach((group, g) => {
    const groupRows = count(group.num_rows, `the row count of row group ${g}`, where);
    let compressed = 0;
    let uncompressed = 0;
    let values = 0;
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
      uncompressed += count(meta.total_uncompressed_size, `a column's size in row group ${g}`, where);
      values += count(meta.num_values, `a column's value count in row group ${g}`, where);
    }
    if (groupRows > MAX_ROWS_PER_BYTE * Math.max(compressed, 1))
      throw new ImportFileError(
        `${where}: its footer says row group ${g} holds ${groupRows} rows in ${compressed} bytes, more than that many bytes can hold`,
      );
    const decoded = Math.max(compressed, uncompressed);
    if (groupRows > limits.maxRowGroupRows || decoded > limits.maxRowGroupBytes)
      throw new ImportFileError(
        `${where}: row group ${g} holds ${groupRows} rows and ${megabytes(decoded)}; an import decodes a row group whole, ` +
          `and this server takes at most ${limits.maxRowGroupRows} rows and ${limits.maxRowGroupBytes / MB} MB a row group ` +
          `(VECGATE_IMPORT_MAX_ROW_GROUP_ROWS, VECGATE_IMPORT_MAX_ROW_GROUP_MB): write the file in smaller row groups, ` +
          `e.g. pyarrow.parquet.write_table(table, path, row_group_size=${Math.min(ROWS_PER_CHUNK, limits.maxRowGroupRows)})`,
      );
    // A value takes 4 bytes (a float of a vector, an index, a string's length) unless it is a row's
    // null or empty list; dictionary-encoded repeats could claim billions in a few bytes.
    const most = groupRows * group.columns.length + Math.floor(limits.maxRowGroupBytes / 4);
    if (values > most)
      throw new ImportFileError(
        `${where}: its footer says row group ${g} holds ${values} values, more than this server decodes from a row group ` +
          `of ${groupRows} rows (at most ${most}, from VECGATE_IMPORT_MAX_ROW_GROUP_MB)`,
      );
    sum += groupRows;
    groupStarts.push(sum);
  });
  if (sum !== rows) throw new ImportFileError(`${where}: its footer says ${rows} rows, but its row groups hold ${sum}`);
  if (rows > MAX_ROWS_PER_BYTE * bytes)
    throw new ImportFileError(`${where}: its footer says ${rows} rows, more than a file of ${bytes} bytes can hold`);
  return { metadata, rows, groupStarts };
}

/**
 * Where a read from `start` ends: at the end of the row group `start` is in, or of the last
 * further group that keeps the read within ROWS_PER_CHUNK rows. A reader decodes whole row groups,
 * so a read that ended inside one would decode it again for the next.
 */
export function chunkEnd(file: CheckedFile, start: number): number {
  const { groupStarts } = file;
  let g = 1;
  while (g < groupStarts.length - 1 && groupStarts[g] <= start) g++;
  let end = groupStarts[g];
  while (g + 1 < groupStarts.length && groupStarts[g + 1] - start <= ROWS_PER_CHUNK) end = groupStarts[++g];
  return end;
}

/**
 * Rows [start, end) of a checked file. Each column must cover every one of them: a row group
 * whose pages hold fewer rows than its footer says reads short, which fails the import rather
 * than passing rows of missing values on.
 */
export async function readRows(
  reader: ParquetReader,
  pages: PageHeaderReader,
  buffer: AsyncBuffer,
  file: CheckedFile,
  start: number,
  end: number,
  where: string,
): Promise<Record<string, unknown>[]> {
  const covered = new Map<string, [number, number][]>();
  let rows: Record<string, unknown>[] = [];
  await reader.parquetRead({
    file: pagesChecked(buffer, file, pages, where),
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

/** A column chunk of a checked file: where its pages lie, and what its footer says they hold. */
interface ColumnChunk {
  group: number;
  column: string;
  start: number;
  end: number;
  uncompressed: number;
  values: number;
}

function columnChunks(file: CheckedFile): ColumnChunk[] {
  return file.metadata.row_groups.flatMap((group, g) =>
    group.columns.map((c) => {
      const meta = c.meta_data!;
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      return {
        group: g,
        column: meta.path_in_schema.join('.'),
        start,
        end: start + Number(meta.total_compressed_size),
        uncompressed: Number(meta.total_uncompressed_size),
        values: Number(meta.num_values),
      };
    }),
  );
}

const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * The pages of a column chunk checked against its footer, before a reader decodes them: a
 * reader allocates what each page header says, and a 267-byte file whose page claimed 2^30 null
 * values ran the gateway's process out of memory. A page must lie within its chunk, decode to no
 * more bytes than the chunk does, and the chunk's pages hold no more values than its footer says
 * (which checkFooter bounds).
 */
export function checkPages(bytes: Uint8Array, chunk: ColumnChunk, pages: PageHeaderReader, where: string): void {
  const refuse = (why: string) =>
    new ImportFileError(`${where}: a page of column ${chunk.column} in row group ${chunk.group} ${why}`);
  let at = 0;
  let values = 0;
  while (at < bytes.length) {
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset + at, bytes.length - at), offset: 0 };
    let header: PageHeader;
    try {
      header = pages.parquetHeader(reader);
    } catch {
      throw refuse(`has a header that cannot be read, at byte ${chunk.start + at}`);
    }
    const { compressed_page_size: compressed, uncompressed_page_size: uncompressed } = header;
    if (!isSize(compressed) || at + reader.offset + compressed > bytes.length)
      throw refuse(`says it takes ${String(compressed)} bytes, past the end of the chunk its footer gives`);
    if (!isSize(uncompressed) || uncompressed > chunk.uncompressed)
      throw refuse(`says it holds ${String(uncompressed)} bytes, more than its chunk's ${chunk.uncompressed}`);
    const counted = header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values;
    if (counted !== undefined) {
      if (!isSize(counted)) throw refuse(`gives its value count as ${String(counted)}`);
      values += counted;
      if (values > chunk.values)
        throw refuse(`takes the chunk to ${values} values, more than the ${chunk.values} its footer says`);
    }
    const entries = header.dictionary_page_header?.num_values;
    if (entries !== undefined && (!isSize(entries) || entries > uncompressed))
      throw refuse(`says its dictionary holds ${String(entries)} entries in ${uncompressed} bytes`);
    at += reader.offset + compressed;
  }
}

/**
 * `buffer`, with the pages of every column chunk a slice holds whole checked before the reader
 * gets it (hyparquet reads whole chunks, one or several a slice, unless told to use an offset
 * index, which vecgate does not). A slice that would hold part of a chunk is refused, so that no
 * page is decoded unchecked.
 */
function pagesChecked(buffer: AsyncBuffer, file: CheckedFile, pages: PageHeaderReader, where: string): AsyncBuffer {
  const chunks = columnChunks(file);
  return {
    byteLength: buffer.byteLength,
    slice: async (start: number, end = buffer.byteLength) => {
      const sliced = await buffer.slice(start, end);
      const bytes = new Uint8Array(sliced);
      for (const chunk of chunks) {
        if (chunk.end <= start || chunk.start >= end) continue;
        if (chunk.start < start || chunk.end > end)
          throw new ImportFileError(`${where}: column ${chunk.column} of row group ${chunk.group} was read in part`);
        checkPages(bytes.subarray(chunk.start - start, chunk.end - start), chunk, pages, where);
      }
      return sliced;
    },
  };
}
