import { Inject, Injectable } from '@nestjs/common';
import { Database, type Queryable } from '../../database/database';
import { CollectionsService } from '../collections/collections.service';
import type { Collection } from '../collections/collection.model';
import { InvalidArgumentError, NotFoundError } from '../errors';
import type { RecordWrite } from '../records/record.model';
import type { Scope } from '../scope';
import {
  IMPORT_ID,
  IMPORT_SOURCES,
  type ImportCursor,
  type ImportDocumentReader,
  type ImportErrorMode,
  type ImportFormat,
  type ImportJob,
  type ImportPage,
  type ImportSources,
} from './import.model';
import { ImportsRepository } from './imports.repository';

/**
 * Bulk imports of a collection: started here (the URI checked and its files listed at once, so
 * that a wrong one is refused in the request), run in the background by a runner outside the
 * core (src/transfer/bulk-import), which reads them through the same methods.
 */
@Injectable()
export class ImportsService {
  private readonly startListeners: (() => void)[] = [];
  private documentReader: ImportDocumentReader | null = null;

  constructor(
    private readonly db: Database,
    private readonly collections: CollectionsService,
    private readonly repository: ImportsRepository,
    @Inject(IMPORT_SOURCES) private readonly sources: ImportSources,
  ) {}

  async start(
    scope: Scope,
    collectionId: string,
    uri: string,
    errorMode: ImportErrorMode,
    format: ImportFormat = 'parquet',
  ): Promise<string> {
    await this.collections.getById(scope, collectionId);
    const { parts } = await this.sources.plan(uri, format);
    const id = await this.repository.insert(this.db, { collectionId, uri, errorMode, parts });
    for (const listener of this.startListeners) listener();
    return id;
  }

  /** Calls `listener` after each import started through this replica (its runner need not wait for its next look). */
  onStart(listener: () => void): void {
    this.startListeners.push(listener);
  }

  async get(scope: Scope, collectionId: string, id: string): Promise<ImportJob> {
    await this.collections.getById(scope, collectionId);
    const found = IMPORT_ID.test(id) ? await this.repository.find(this.db, collectionId, id) : undefined;
    if (!found) throw new NotFoundError('import', id, 'id');
    return found;
  }

  async list(scope: Scope, collectionId: string, after: string | null, limit: number): Promise<ImportPage> {
    await this.collections.getById(scope, collectionId);
    if (after !== null && !IMPORT_ID.test(after)) return { items: [], after: null };
    return this.repository.list(this.db, collectionId, after, limit);
  }

  /** Cancels an unfinished import; one that has finished stays as it is (as Pinecone's does). */
  async cancel(scope: Scope, collectionId: string, id: string): Promise<void> {
    const job = await this.get(scope, collectionId, id);
    await this.repository.finish(this.db, job.id, 'Cancelled', null, collectionId);
  }

  /** How a document of a JSONL import becomes a record: set by the protocol whose indexes take documents. */
  readDocumentsWith(reader: ImportDocumentReader): void {
    this.documentReader = reader;
  }

  // What the background runner uses.

  /** A document of a JSONL import as its record, or why it cannot be one (thrown). */
  documentRecord(collection: Collection, document: unknown, where: string): RecordWrite {
    if (!this.documentReader) throw new InvalidArgumentError('no protocol of this server reads JSONL documents');
    return this.documentReader(collection, document, where);
  }

  /** A job as it is now, whatever its collection (the runner's look). */
  current(id: string): Promise<ImportJob | undefined> {
    return this.repository.findById(this.db, id);
  }

  /** Unfinished imports by id, `limit` of them after `after` (null: from the first). */
  unfinished(limit: number, after: string | null = null): Promise<ImportJob[]> {
    return this.repository.unfinished(this.db, limit, after);
  }

  begin(id: string): Promise<boolean> {
    return this.repository.begin(this.db, id);
  }

  /** Moves the job's cursor, on `db`: the transaction of the batch it moves past, or the pool for rows all skipped. */
  advance(
    db: Queryable | null,
    id: string,
    from: ImportCursor,
    to: ImportCursor,
    counts: { rows: number; imported: number; skipped: number; firstSkip?: string },
  ): Promise<void> {
    return this.repository.advance(db ?? this.db, id, from, to, counts);
  }

  finish(id: string, status: 'Completed' | 'Failed', error: string | null = null): Promise<boolean> {
    return this.repository.finish(this.db, id, status, error);
  }
}
