/**
 * hyparquet and hyparquet-writer are ES modules; this CommonJS build loads them on first use.
 * Only their calls that vecgate makes are typed here.
 */

/** What a reader reads: a file's length, and its bytes from `start` to `end`. */
export interface AsyncBuffer {
  byteLength: number;
  slice(start: number, end?: number): ArrayBuffer | Promise<ArrayBuffer>;
}

export interface ParquetReader {
  asyncBufferFromFile(path: string): Promise<AsyncBuffer>;
  asyncBufferFromUrl(options: {
    url: string;
    fetch?: (url: string | URL, init?: RequestInit) => Promise<Response>;
  }): Promise<AsyncBuffer>;
  parquetMetadataAsync(
    file: AsyncBuffer,
  ): Promise<{ num_rows: bigint | number; key_value_metadata?: { key: string; value?: string }[] }>;
  parquetReadObjects(options: {
    file: AsyncBuffer;
    rowStart?: number;
    rowEnd?: number;
  }): Promise<Record<string, unknown>[]>;
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

export const parquetReader = (): Promise<ParquetReader> => import('hyparquet') as unknown as Promise<ParquetReader>;
export const parquetWriter = (): Promise<ParquetWriter> =>
  import('hyparquet-writer') as unknown as Promise<ParquetWriter>;
