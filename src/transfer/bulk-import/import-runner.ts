import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Metric } from '../../core/collections/collection.model';
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
import { ParquetImportSources, type PartReader } from './import-sources';

/** How often a replica looks for imports to run (one started through it is run at once). */
const POLL_MS = 2000;
/** Jobs looked at per look: one is run at a time, the others wait for the next look. */
const LOOK_AHEAD = 10;

/** A record the core refused for what it holds: skipped in `continue` mode, the end of the import in `abort` mode. */
const refusedRecord = (err: unknown) => err instanceof InvalidArgumentError || err instanceof DimensionMismatchError;

/**
 * Runs bulk imports in the background, one at a time per replica, each on one replica at once (a
 * session advisory lock on a real server; embedded, the one process there is). A batch of rows is
 * upserted in one transaction with the job's progress, so a job resumes after its last committed
 * batch wherever it is taken up again, and a cancel (or the index's delete) takes effect before
 * the next batch: the progress update then finds the job moved on and rolls its batch back.
 */
@Injectable()
export class ImportRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ImportRunner');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

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

  private async sweep(): Promise<void> {
    for (const job of await this.imports.unfinished(LOOK_AHEAD)) {
      if (this.stopped) return;
      await this.take(job).catch((err) => {
        // A database that failed under the job: it stays where its last batch left it, for the next look.
        if (!this.stopped) this.logger.warn(`import ${job.id} stopped: ${(err as Error)?.message ?? err}`);
      });
    }
  }

  /**
   * The lock spares two replicas reading the same files; each batch's cursor check is what keeps
   * every record written once. With a pool of one connection, the lock's would leave none for the writes.
   */
  private async take(job: ImportJob): Promise<void> {
    if (this.db.backend === 'embedded' || this.config.poolSize < 2) return this.run(job.id);
    await this.db.withOwnConnection(async (conn) => {
      if (await this.db.tryAdvisoryLock(conn, `import:${job.id}`)) await this.run(job.id);
    });
  }

  private async run(id: string): Promise<void> {
    // Read again under the lock: another replica may have moved it on since the look.
    const job = await this.imports.current(id);
    if (!job || (job.status !== 'Pending' && job.status !== 'InProgress')) return;
    if (!(await this.imports.begin(job.id))) return;
    let index: { dimension: number | null; metric: Metric };
    try {
      const collection = await this.collections.getById(job.scope, job.collectionId);
      index = { dimension: collection.dimension, metric: collection.metric };
    } catch (err) {
      if (err instanceof NotFoundError)
        return void (await this.imports.finish(job.id, 'Failed', 'The index was deleted'));
      throw err;
    }
    const reader = this.sources.open(job.parts);
    try {
      await this.batches(job, index, reader);
    } finally {
      await reader.close();
    }
  }

  /** The job's batches, one after the other, until it ends or the runner stops; its files stay open meanwhile. */
  private async batches(
    job: ImportJob,
    index: { dimension: number | null; metric: Metric },
    reader: PartReader,
  ): Promise<void> {
    let cursor = job.cursor;
    while (!this.stopped) {
      if (cursor.part >= job.parts.length) {
        if (await this.imports.finish(job.id, 'Completed'))
          this.logger.log(`import ${job.id} into collection ${job.collectionId} completed`);
        return;
      }
      try {
        cursor = await this.batch(job, index, reader, cursor);
      } catch (err) {
        if (err instanceof ImportMovedOnError || this.stopped) return;
        if (err instanceof NotFoundError)
          return void (await this.imports.finish(job.id, 'Failed', 'The index was deleted'));
        // A database that is unavailable is not the import's fault: the next look takes it up again.
        if (err instanceof ImportFailure || (err instanceof CoreError && !(err instanceof UnavailableError))) {
          await this.imports.finish(job.id, 'Failed', err.message);
          this.logger.warn(`import ${job.id} failed: ${err.message}`);
          return;
        }
        throw err;
      }
    }
  }

  /** Reads, checks and writes the rows from `from` on (at most one batch, within one file); returns where the next batch starts. */
  private async batch(
    job: ImportJob,
    index: { dimension: number | null; metric: Metric },
    reader: PartReader,
    from: ImportCursor,
  ): Promise<ImportCursor> {
    const part = job.parts[from.part];
    const end = Math.min(part.rows, from.row + this.config.imports.batch);
    const to = end < part.rows ? { part: from.part, row: end } : { part: from.part + 1, row: 0 };
    let rows: Record<string, unknown>[];
    try {
      rows = await reader.rows(from.part, from.row, end);
    } catch (err) {
      throw new ImportFailure(`Reading ${part.location} failed: ${(err as Error)?.message ?? err}`);
    }
    const items = rows.map((row, k) => importItem(row, `${part.location} row ${from.row + k}`, index));
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

/** Why an import cannot go on: its message becomes the job's error. */
class ImportFailure extends Error {}
