import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ForbiddenError, InvalidArgumentError } from '../../core/errors';
import type { ImportFormat, ImportPart, ImportPlan, ImportSources } from '../../core/imports/import.model';
import {
  pageHeaderReader,
  parquetReader,
  type AsyncBuffer,
  type PageHeaderReader,
  type ParquetReader,
} from '../parquet-files';
import { handleBuffer, listImportFiles, openInside } from './import-files';
import { countLines, JsonlPartReader, type JsonlLine } from './import-jsonl';
import { locate } from './import-locations';
import { checkFooter, chunkEnd, readRows, type CheckedFile } from './import-parquet';

/** At most this many files per import: their list is kept with the job. */
const MAX_PARTS = 10_000;
/** A stalled server must not hold a runner forever: each request for a file's bytes gets this long. */
const FETCH_TIMEOUT_MS = 60_000;

/** Redirects are refused: one could lead from an allowed URL to any other. */
const guardedFetch = (url: string | URL, init?: RequestInit) =>
  fetch(url, { ...init, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });

/** A file of an import, open for reading, its footer checked. */
export interface OpenFile {
  buffer: AsyncBuffer;
  file: CheckedFile;
  close(): Promise<void>;
}

/** What the runner reads an import's files with, a chunk of rows at a time. */
export interface ImportPartReader {
  chunk(part: number, start: number): Promise<{ rows: Record<string, unknown>[] | JsonlLine[]; end: number }>;
  close(): Promise<void>;
}

/**
 * The files of imports (Pinecone's layout, parquet-format.ts: Parquet files of vectors, or JSONL
 * files of documents), for the core's ImportSources: a URI's files are listed, and their footers
 * checked (Parquet) or their documents counted (JSONL), when the import starts, and read by the
 * runner later, each location checked against the settings again (they may have changed since).
 */
@Injectable()
export class ParquetImportSources implements ImportSources {
  private reader?: ParquetReader;
  private pages?: PageHeaderReader;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private async parquet(): Promise<ParquetReader> {
    return (this.reader ??= await parquetReader());
  }

  private async pageHeaders(): Promise<PageHeaderReader> {
    return (this.pages ??= await pageHeaderReader());
  }

  async plan(uri: string, format: ImportFormat = 'parquet'): Promise<ImportPlan> {
    const extension = `.${format}`;
    const where = locate(uri, this.config.imports, extension);
    const found =
      where.kind === 'http'
        ? [{ namespace: '', location: where.url }]
        : (await listImportFiles(where.path, this.config.imports.roots, extension)).map((f) => ({
            namespace: f.namespace,
            location: f.path,
          }));
    if (found.length === 0) throw new InvalidArgumentError(`${uri} holds no ${extension} files`);
    if (found.length > MAX_PARTS)
      throw new InvalidArgumentError(
        `${uri} holds ${found.length} ${extension} files; an import reads at most ${MAX_PARTS}`,
      );
    if (format === 'jsonl') return { parts: await this.jsonlParts(uri, found) };
    const parts: ImportPart[] = [];
    for (const part of found) {
      const opened = await this.openFile(part.location).catch((err) => {
        if (err instanceof InvalidArgumentError || err instanceof ForbiddenError) throw err;
        throw new InvalidArgumentError(
          `${uri}: ${part.location} is not a readable Parquet file (${(err as Error).message})`,
        );
      });
      await opened.close();
      parts.push({ ...part, rows: opened.file.rows });
    }
    return { parts };
  }

  /** JSONL files, their documents (non-blank lines) counted: the rows the job's progress counts. */
  private async jsonlParts(uri: string, found: { namespace: string; location: string }[]): Promise<ImportPart[]> {
    const parts: ImportPart[] = [];
    for (const part of found) {
      const rows = await countLines(part.location, this.config.imports, guardedFetch).catch((err) => {
        if (err instanceof InvalidArgumentError || err instanceof ForbiddenError) throw err;
        throw new InvalidArgumentError(`${uri}: ${part.location} is not readable (${(err as Error).message})`);
      });
      parts.push({ ...part, rows, format: 'jsonl' });
    }
    return parts;
  }

  /**
   * A location (a real path, or a URL) opened and its footer checked, against the settings as they
   * are now: a file is opened once (openInside), and every byte of it read through that descriptor.
   */
  async openFile(location: string): Promise<OpenFile> {
    const reader = await this.parquet();
    const { roots } = this.config.imports;
    let buffer: AsyncBuffer;
    let close = async () => {};
    if (location.startsWith('/')) {
      if (roots.length === 0) throw new ForbiddenError('Imports from file:// URIs are off on this server');
      const opened = await openInside(location, roots);
      close = () => opened.handle.close();
      if (!opened.stat.isFile()) {
        await close();
        throw new InvalidArgumentError(`${location} is not a file`);
      }
      buffer = handleBuffer(opened, location);
    } else {
      const where = locate(location, this.config.imports);
      if (where.kind !== 'http') throw new InvalidArgumentError(`${location} is not a location of an import`);
      buffer = await reader.asyncBufferFromUrl({ url: where.url, fetch: guardedFetch });
    }
    try {
      const metadata = await reader.parquetMetadataAsync(buffer);
      return { buffer, file: checkFooter(metadata, buffer.byteLength, location, this.config.imports), close };
    } catch (err) {
      await close();
      throw err;
    }
  }

  /** A reader of one import's files (all of one format). */
  partReader(parts: ImportPart[]): ImportPartReader {
    if (parts[0]?.format === 'jsonl') return new JsonlPartReader(parts, this.config.imports, guardedFetch);
    return new PartReader(
      parts,
      (location) => this.openFile(location),
      () => this.parquet(),
      () => this.pageHeaders(),
    );
  }
}

/**
 * Rows of an import's files, a chunk at a time (chunkEnd: whole row groups, ROWS_PER_CHUNK rows or
 * one row group more). The file being read stays open until the reader moves to the next or closes.
 */
export class PartReader implements ImportPartReader {
  private current?: { part: number; open: OpenFile };

  constructor(
    private readonly parts: ImportPart[],
    private readonly opener: (location: string) => Promise<OpenFile>,
    private readonly parquet: () => Promise<ParquetReader>,
    private readonly pageHeaders: () => Promise<PageHeaderReader>,
  ) {}

  /** The rows of a part from `start` to the end of the chunk there; a file whose row count changed since the plan is refused. */
  async chunk(part: number, start: number): Promise<{ rows: Record<string, unknown>[]; end: number }> {
    const { location, rows } = this.parts[part];
    if (this.current?.part !== part) {
      await this.close();
      const open = await this.opener(location);
      if (open.file.rows !== rows) {
        await open.close();
        throw new Error(`${location} has changed since the import started (${open.file.rows} rows, not ${rows})`);
      }
      this.current = { part, open };
    }
    const { buffer, file } = this.current.open;
    const end = chunkEnd(file, start);
    return {
      rows: await readRows(await this.parquet(), await this.pageHeaders(), buffer, file, start, end, location),
      end,
    };
  }

  async close(): Promise<void> {
    const open = this.current?.open;
    this.current = undefined;
    await open?.close();
  }
}
