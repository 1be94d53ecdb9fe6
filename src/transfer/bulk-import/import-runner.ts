import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Collection, Metric } from '../../core/collections/collection.model';
import { CollectionsService } from '../../core/collections/collections.service';
import {
  CoreError,
  DimensionMismatchError,
  InvalidArgumentError,
  NotFoundError,
  UnavailableError,
} from '../../core/errors';
import { ImportMovedOnError, type ImportCursor, type ImportJob } from '../../core/imports/import.model';
import { ImportsService } from '../../core/imports/imports.service';
import { RecordsService } from '../../core/records/records.service';
import { Database } from '../../database/database';
import { importItem, type ImportItem } from './import-rows';
import type { JsonlLine } from './import-jsonl';
import { ParquetImportSources, type ImportPartReader } from './import-sources';

/** How often a replica looks for imports to run (one started through it is run at once). */
const POLL_MS = 2000;
/** Jobs read at once; a replica goes through all of them, a page at a time, and keeps at most this many files open. */
const LOOK_AHEAD = 10;

/** A record the core refused for what it holds: skipped in `continue` mode, the end of the import in `abort` mode. */
const refusedRecord = (err: unknown) => err instanceof InvalidArgumentError || err instanceof DimensionMismatchError;

/** What a turn of a job came to: more to do, the job ended (or is no longer this runner's), or passed over for now. */
type Outcome = 'more' | 'ended' | 'passed';

/**
 * Runs bulk imports in the background. Imports take turns, a chunk of rows each (PartReader: whole
 * row groups, about ROWS_PER_CHUNK rows), oldest first, so that a long import (or a file that
 * reads slowly) holds none of the others up. Each turn runs on one replica at once (a session
 * advisory lock on a real server; embedded, the one process there is). A batch of rows is upserted
 * in one transaction with the job's progress, so a job resumes after its last committed batch
 * wherever it is taken up again, and a cancel (or the index's delete) takes effect before the next
 * batch: the progress update then finds the job moved on and rolls its batch back.
 */
@Injectable()
export class ImportRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ImportRunner');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** Each job's reader, with the file it is on open, the last used last. */
  private readonly readers = new Map<string, ImportPartReader>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly imports: ImportsService,
    private readonly collections: CollectionsService,
    private readonly records: RecordsService,
    private readonly sources: ParquetImportSources,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.imports.run) return;
    this.imports.onStart(() => this.tick());
    // The first look waits one period: at boot the one embedded connection is busy with the
    // builder's and tuner's first work, and a look queued behind it would outlive a close.
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.stopped || !this.db.vectorOid) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.again = false;
    this.running = this.sweep()
      .catch((err) => this.logger.warn(`import sweep failed: ${(err as Error)?.message ?? err}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) this.tick();
      });
  }

  /**
   * Rounds over the unfinished imports, a turn of each, until none is left to this replica: the
   * ones another replica is running, or under which the database failed, are passed over until the
   * next look (the latter stay where their last batch left them).
   */
  private async sweep(): Promise<void> {
    const passed = new Set<string>();
    try {
      for (let worked = true; worked;) {
        worked = false;
        let after: string | null = null;
        for (let jobs = await this.imports.unfinished(LOOK_AHEAD); jobs.length > 0;) {
          for (const job of jobs) {
            if (this.stopped) return;
            if (passed.has(job.id)) continue;
            const outcome = await this.take(job).catch((err): Outcome => {
              if (!this.stopped) this.logger.warn(`import ${job.id} stopped: ${(err as Error)?.message ?? err}`);
              return 'passed';
            });
            if (outcome === 'passed') passed.add(job.id);
            else worked = true;
            if (outcome !== 'more') await this.dropReader(job.id);
          }
          after = jobs[jobs.length - 1].id;
          jobs = await this.imports.unfinished(LOOK_AHEAD, after);
        }
      }
    } finally {
      for (const id of [...this.readers.keys()]) await this.dropReader(id);
    }
  }

  /**
   * The lock spares two replicas reading the same files at once; each batch's cursor check is what
   * keeps every record written once. With a pool of one connection, the lock's would leave none for the writes.
   */
  private async take(job: ImportJob): Promise<Outcome> {
    if (this.db.backend === 'embedded' || this.config.poolSize < 2) return this.turn(job.id);
    return this.db.withOwnConnection(async (conn) =>
      (await this.db.tryAdvisoryLock(conn, `import:${job.id}`)) ? this.turn(job.id) : 'passed',
    );
  }

  /** The job's reader, kept from its last turn: its file stays open (and is not opened again) while it is read. */
  private async readerFor(job: ImportJob): Promise<ImportPartReader> {
    const reader = this.readers.get(job.id) ?? this.sources.partReader(job.parts);
    this.readers.delete(job.id);
    this.readers.set(job.id, reader);
    // More jobs than that: the one whose turn is longest ago closes its file, to open it again on its next.
    if (this.readers.size > LOOK_AHEAD) await this.dropReader(this.readers.keys().next().value!);
    return reader;
  }

  private async dropReader(id: string): Promise<void> {
    const reader = this.readers.get(id);
    this.readers.delete(id);
    await reader?.close();
  }

  /** One turn of a job: the rest of the chunk its cursor is in, a batch at a time. */
  private async turn(id: string): Promise<Outcome> {
    // Read again under the lock: another replica may have moved it on since the look.
    const job = await this.imports.current(id);
    if (!job || (job.status !== 'Pending' && job.status !== 'InProgress')) return 'ended';
    if (!(await this.imports.begin(job.id))) return 'ended';
    try {
      const collection = await this.collections.getById(job.scope, job.collectionId);
      const index = { collection, dimension: collection.dimension, metric: collection.metric };
      const cursor = await this.chunk(job, index, job.cursor);
      if (this.stopped) return 'passed';
      if (cursor.part < job.parts.length) return 'more';
      if (await this.imports.finish(job.id, 'Completed'))
        this.logger.log(`import ${job.id} into collection ${job.collectionId} completed`);
      return 'ended';
    } catch (err) {
      if (err instanceof ImportMovedOnError || this.stopped) return 'ended';
      if (err instanceof NotFoundError) {
        await this.imports.finish(job.id, 'Failed', 'The index was deleted');
        return 'ended';
      }
      // A database that is unavailable is not the import's fault: the next look takes it up again.
      if (err instanceof ImportFailure || (err instanceof CoreError && !(err instanceof UnavailableError))) {
        await this.imports.finish(job.id, 'Failed', err.message);
        this.logger.warn(`import ${job.id} failed: ${err.message}`);
        return 'ended';
      }
      throw err;
    }
  }

  /** Reads the chunk at `from` and writes it, a batch at a time; returns where the next chunk starts. */
  private async chunk(job: ImportJob, index: IndexOfJob, from: ImportCursor): Promise<ImportCursor> {
    if (from.part >= job.parts.length) return from;
    const part = job.parts[from.part];
    if (from.row >= part.rows) {
      // A file of no rows: nothing to read.
      const next = { part: from.part + 1, row: 0 };
      await this.imports.advance(null, job.id, from, next, { rows: 0, imported: 0, skipped: 0 });
      return next;
    }
    let chunk: { rows: Record<string, unknown>[] | JsonlLine[]; end: number };
    try {
      chunk = await (await this.readerFor(job)).chunk(from.part, from.row);
    } catch (err) {
      throw new ImportFailure(`Reading ${part.location} failed: ${(err as Error)?.message ?? err}`);
    }
    let at = from;
    while (at.part === from.part && at.row < chunk.end) {
      if (this.stopped) break;
      const end = Math.min(chunk.end, at.row + this.config.imports.batch);
      at = await this.batch(job, index, at, chunk.rows.slice(at.row - from.row, end - from.row));
    }
    return at;
  }

  /** Checks and writes the rows of one batch, which start at `from`; returns where the next batch starts. */
  private async batch(
    job: ImportJob,
    index: IndexOfJob,
    from: ImportCursor,
    rows: Record<string, unknown>[] | JsonlLine[],
  ): Promise<ImportCursor> {
    const part = job.parts[from.part];
    const end = from.row + rows.length;
    const to = end < part.rows ? { part: from.part, row: end } : { part: from.part + 1, row: 0 };
    const items =
      part.format === 'jsonl'
        ? (rows as JsonlLine[]).map((line) =>
            this.documentItem(index.collection, line, `${part.location} line ${line.line}`),
          )
        : (rows as Record<string, unknown>[]).map((row, k) =>
            importItem(row, `${part.location} row ${from.row + k}`, index),
          );
    const bad = items.flatMap((item) => ('bad' in item ? [item.bad] : []));
    if (bad.length > 0 && job.errorMode === 'abort') throw new ImportFailure(bad[0]);
    const writes = items.flatMap((item) => ('write' in item ? [item.write] : []));
    if (writes.length === 0) {
      await this.imports.advance(null, job.id, from, to, {
        rows: rows.length,
        imported: 0,
        skipped: bad.length,
        firstSkip: bad[0],
      });
      return to;
    }
    try {
      await this.records.write(job.scope, job.collectionId, 'replace', writes, part.namespace, (tx, written) =>
        this.imports.advance(tx, job.id, from, to, {
          rows: rows.length,
          imported: written,
          skipped: bad.length,
          firstSkip: bad[0],
        }),
      );
    } catch (err) {
      if (!refusedRecord(err)) throw err;
      if (job.errorMode === 'abort') throw new ImportFailure(`${part.location}: ${(err as Error).message}`);
      await this.oneByOne(job, items, part.namespace, from);
    }
    return to;
  }

  /** A line of a JSONL import: a document the index's protocol maps to its record, or why it is not one. */
  private documentItem(collection: Collection, line: JsonlLine, where: string): ImportItem {
    let document: unknown;
    try {
      document = JSON.parse(line.text);
    } catch (err) {
      return { bad: `${where} is not JSON: ${(err as Error).message}` };
    }
    try {
      return { write: this.imports.documentRecord(collection, document, where) };
    } catch (err) {
      return { bad: (err as Error).message };
    }
  }

  /** A batch the core refused, in `continue` mode: each record in a transaction of its own, the refused ones skipped. */
  private async oneByOne(job: ImportJob, items: ImportItem[], namespace: string, from: ImportCursor): Promise<void> {
    const part = job.parts[from.part];
    for (let k = 0; k < items.length; k++) {
      if (this.stopped) throw new ImportMovedOnError('stopping');
      const at = { part: from.part, row: from.row + k };
      const next = at.row + 1 < part.rows ? { part: from.part, row: at.row + 1 } : { part: from.part + 1, row: 0 };
      const item = items[k];
      const skip = (why: string) =>
        this.imports.advance(null, job.id, at, next, { rows: 1, imported: 0, skipped: 1, firstSkip: why });
      if ('bad' in item) {
        await skip(item.bad);
        continue;
      }
      try {
        await this.records.write(job.scope, job.collectionId, 'replace', [item.write], namespace, (tx, written) =>
          this.imports.advance(tx, job.id, at, next, { rows: 1, imported: written, skipped: 0 }),
        );
      } catch (err) {
        if (!refusedRecord(err)) throw err;
        await skip(
          `${part.location} row ${at.row}: record ${JSON.stringify(item.write.id)}: ${(err as Error).message}`,
        );
      }
    }
  }
}

/** The index a job writes to, and its vectors' shape (a Parquet import's first vector may fix the dimension). */
interface IndexOfJob {
  collection: Collection;
  dimension: number | null;
  metric: Metric;
}

/** Why an import cannot go on: its message becomes the job's error. */
class ImportFailure extends Error {}
