import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ForbiddenError, InvalidArgumentError } from '../../core/errors';
import type { ImportPart, ImportPlan, ImportSources } from '../../core/imports/import.model';
import { ROWS_PER_CHUNK } from '../parquet-format';
import { parquetReader, type ParquetReader } from '../parquet-files';
import { listParquetParts } from '../parquet-layout';
import { checkedPath, locate } from './import-locations';

/** At most this many files per import: their list is kept with the job. */
const MAX_PARTS = 10_000;
/** A stalled server must not hold a runner forever: each request for a file's bytes gets this long. */
const FETCH_TIMEOUT_MS = 60_000;

const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : (v as number));

/** Redirects are refused: one could lead from an allowed URL to any other. */
const guardedFetch = (url: string | URL, init?: RequestInit) =>
  fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });

/**
 * The files of Parquet imports (Pinecone's layout, parquet-format.ts), for the core's ImportSources:
 * a URI's files are listed and their row counts read when the import starts, and read by the runner
 * later, each location checked against the settings again (they may have changed since).
 */
@Injectable()
export class ParquetImportSources implements ImportSources {
  private reader?: ParquetReader;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private async parquet(): Promise<ParquetReader> {
    return (this.reader ??= await parquetReader());
  }

  async plan(uri: string): Promise<ImportPlan> {
    const where = locate(uri, this.config.imports);
    const found =
      where.kind === 'http'
        ? [{ namespace: '', location: where.url }]
        : listParquetParts(where.path).map((p) => ({ namespace: p.namespace, location: p.path }));
    if (found.length === 0) throw new InvalidArgumentError(`${uri} holds no .parquet files`);
    if (found.length > MAX_PARTS)
      throw new InvalidArgumentError(
        `${uri} holds ${found.length} .parquet files; an import reads at most ${MAX_PARTS}`,
      );
    const parts: ImportPart[] = [];
    for (const part of found) {
      // Each file is checked too: a symbolic link in an allowed directory may lead out of it.
      const location = where.kind === 'file' ? checkedPath(part.location, this.config.imports.roots) : part.location;
      parts.push({ ...part, location, rows: await this.rowCount(location, uri) });
    }
    return { parts };
  }

  private async rowCount(location: string, uri: string): Promise<number> {
    try {
      const reader = await this.parquet();
      return num((await reader.parquetMetadataAsync(await this.buffer(location))).num_rows);
    } catch (err) {
      if (err instanceof InvalidArgumentError) throw err;
      throw new InvalidArgumentError(`${uri}: ${location} is not a readable Parquet file (${(err as Error).message})`);
    }
  }

  /** The bytes of a location (a real path, or a URL), checked against the settings as they are now. */
  private async buffer(location: string): Promise<unknown> {
    const reader = await this.parquet();
    const { roots } = this.config.imports;
    if (location.startsWith('/')) {
      if (roots.length === 0) throw new ForbiddenError('Imports from file:// URIs are off on this server');
      return reader.asyncBufferFromFile(checkedPath(location, roots));
    }
    const where = locate(location, this.config.imports);
    if (where.kind !== 'http') throw new InvalidArgumentError(`${location} is not a location of an import`);
    return reader.asyncBufferFromUrl({ url: where.url, fetch: guardedFetch });
  }

  /** A reader of one import's files, which keeps the rows of the last chunk it decoded. */
  open(parts: ImportPart[]): PartReader {
    return new PartReader(
      parts,
      (location) => this.buffer(location),
      () => this.parquet(),
    );
  }
}

/** Rows of an import's files, read a chunk (ROWS_PER_CHUNK rows, a row group) at a time. */
export class PartReader {
  private chunk?: { part: number; start: number; rows: Record<string, unknown>[] };
  private file?: { part: number; buffer: unknown };

  constructor(
    private readonly parts: ImportPart[],
    private readonly buffer: (location: string) => Promise<unknown>,
    private readonly parquet: () => Promise<ParquetReader>,
  ) {}

  /** Rows [start, end) of a part; a file whose row count changed since the plan is refused. */
  async rows(part: number, start: number, end: number): Promise<Record<string, unknown>[]> {
    const c = this.chunk;
    if (!c || c.part !== part || start < c.start || end > c.start + c.rows.length) {
      const reader = await this.parquet();
      const { location, rows } = this.parts[part];
      if (this.file?.part !== part) {
        const buffer = await this.buffer(location);
        const actual = num((await reader.parquetMetadataAsync(buffer)).num_rows);
        if (actual !== rows)
          throw new Error(`${location} has changed since the import started (${actual} rows, not ${rows})`);
        this.file = { part, buffer };
      }
      const chunkEnd = Math.min(rows, Math.max(end, start + ROWS_PER_CHUNK));
      this.chunk = {
        part,
        start,
        rows: await reader.parquetReadObjects({ file: this.file.buffer, rowStart: start, rowEnd: chunkEnd }),
      };
    }
    const { start: from, rows } = this.chunk!;
    return rows.slice(start - from, end - from);
  }
}
