/**
 * hyparquet and hyparquet-writer are ES modules; this CommonJS build loads them on first use.
 * Only their calls that vecgate makes are typed here.
 */

/** What a reader reads: a file's length, and its bytes from `start` to `end`. */
export interface AsyncBuffer {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

type Count = bigint | number;

/** A file's footer (Thrift FileMetaData), as far as vecgate reads it. */
export interface ParquetMetadata {
  num_rows: Count;
  schema: { name: string; num_children?: number }[];
  row_groups: {
    num_rows: Count;
    columns: {
      file_path?: string;
      offset_index_offset?: Count;
      meta_data?: {
        path_in_schema: string[];
        num_values: Count;
        total_compressed_size: Count;
        total_uncompressed_size: Count;
        data_page_offset: Count;
        dictionary_page_offset?: Count;
      };
    }[];
  }[];
  key_value_metadata?: { key: string; value?: string }[];
}

export interface ParquetReader {
  asyncBufferFromFile(path: string): Promise<AsyncBuffer>;
  asyncBufferFromUrl(options: {
    url: string;
    fetch?: (url: string | URL, init?: RequestInit) => Promise<Response>;
  }): Promise<AsyncBuffer>;
  parquetMetadataAsync(file: AsyncBuffer): Promise<ParquetMetadata>;
  parquetReadObjects(options: {
    file: AsyncBuffer;
    metadata?: ParquetMetadata;
    rowStart?: number;
    rowEnd?: number;
  }): Promise<Record<string, unknown>[]>;
  /** Rows to `onComplete`; `onChunk` sees each column's decoded values with the rows they cover. */
  parquetRead(options: {
    file: AsyncBuffer;
    metadata?: ParquetMetadata;
    rowStart?: number;
    rowEnd?: number;
    rowFormat: 'object';
    onChunk?: (chunk: { columnName: string; rowStart: number; rowEnd: number }) => void;
    onComplete?: (rows: Record<string, unknown>[]) => void;
  }): Promise<void>;
}

export interface ParquetWriter {
  parquetWriteFile(options: {
    filename: string;
    columnData: { name: string; data: unknown[] }[];
    schema: Record<string, unknown>[];
    kvMetadata?: { key: string; value: string }[];
    rowGroupSize?: number;
  }): void;
}

/** A page's header (Thrift PageHeader), as far as vecgate checks it. */
export interface PageHeader {
  type: string;
  uncompressed_page_size: number;
  compressed_page_size: number;
  data_page_header?: { num_values: number };
  data_page_header_v2?: { num_values: number; num_nulls: number; num_rows: number };
  dictionary_page_header?: { num_values: number };
}

export interface PageHeaderReader {
  /** Reads the header at `reader.offset` and leaves the offset at the page's data. */
  parquetHeader(reader: { view: DataView; offset: number }): PageHeader;
}

export const parquetReader = (): Promise<ParquetReader> => import('hyparquet') as unknown as Promise<ParquetReader>;
export const pageHeaderReader = (): Promise<PageHeaderReader> =>
  import('hyparquet/src/column.js') as unknown as Promise<PageHeaderReader>;
export const parquetWriter = (): Promise<ParquetWriter> =>
  import('hyparquet-writer') as unknown as Promise<ParquetWriter>;
