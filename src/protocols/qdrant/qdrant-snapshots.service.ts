import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import { boundedLines, LineTooLongError } from '../../common/bounded-lines';
import { serializeWithRaw } from '../../common/raw-json';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Backup } from '../../core/backups/backup.model';
import { BackupsService } from '../../core/backups/backups.service';
import type { NewCollection } from '../../core/collections/collection.model';
import { NotFoundError } from '../../core/errors';
import type { RecordWrite } from '../../core/records/record.model';
import { RecordsService } from '../../core/records/records.service';
import { DEFAULT_NAMESPACE } from '../../core/scope';
import { type JsonObject } from '../json-guards';
import { QdrantCollectionsService } from './qdrant-collections.service';
import { onlyFields } from './body';
import { QdrantHttpError } from './qdrant-error';
import { FIELDS } from './qdrant-fields';
import { checkCollectionName, configShown, layoutOf, type QdrantLayout } from './qdrant-layout';
import { shownRecord } from './qdrant-points.mapper';
import { isQdrantId } from './point-ids';
import { QdrantPointsService } from './qdrant-points.service';
import { payloadSchemaOf } from './payload-indexes';
import { textFieldsOf } from './text-index';
import {
  backupIdOf,
  parseHeader,
  KEEP_ID,
  parsePoint,
  takeKeptId,
  SNAPSHOT_BATCH,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  snapshotName,
  type SnapshotHeader,
} from './snapshot-format';

/** What marks a backup as a Qdrant snapshot (Pinecone's backups of the collection are not listed as snapshots). */
const SNAPSHOT_DESCRIPTION = 'Qdrant snapshot';

/** Snapshot uploads one process receives at once: each may take VECGATE_SNAPSHOT_UPLOAD_MB of temporary disk. */
const MAX_UPLOADS_AT_ONCE = 2;

/** Qdrant's SnapshotDescription. */
export interface SnapshotDescription {
  name: string;
  creation_time: string;
  size: number;
  checksum: string | null;
}

function describe(backup: Backup): SnapshotDescription {
  return {
    name: snapshotName(backup.sourceName, backup.id, backup.createdAt),
    creation_time: backup.createdAt.toISOString().slice(0, 19),
    // The copy's size in Postgres: the file is written when downloaded, and its checksum with it.
    size: backup.sizeBytes,
    checksum: null,
  };
}

/** A collection's settings as a create-collection body, which recovery sends to create it again. */
function createBody(backup: Backup, layout: QdrantLayout): JsonObject {
  const config = configShown(backup, layout);
  const params = config.params as JsonObject;
  const body: JsonObject = {
    hnsw_config: config.hnsw_config,
    optimizers_config: config.optimizer_config,
    wal_config: config.wal_config,
    quantization_config: config.quantization_config,
    strict_mode_config: config.strict_mode_config,
    on_disk_payload: params.on_disk_payload,
  };
  // An unnamed vector whose size no write fixed yet is left out, as a collection without one.
  if (layout.dense !== null && !(layout.dense === '' && backup.dimension === null)) body.vectors = params.vectors;
  if (params.sparse_vectors) body.sparse_vectors = params.sparse_vectors;
  return body;
}

/**
 * Qdrant's collection snapshots over the core's backups: a snapshot is a backup (a copy of the
 * record table taken in one transaction), written out as vecgate's snapshot file
 * (snapshot-format.ts) when downloaded, and recovered either from a snapshot this gateway holds
 * (a table copy) or from an uploaded file, in one transaction that replaces the collection.
 */
@Injectable()
export class QdrantSnapshotsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly collections: QdrantCollectionsService,
    private readonly points: QdrantPointsService,
    private readonly backups: BackupsService,
    private readonly records: RecordsService,
  ) {}

  /** Uploads being received by this process, each into a temporary file of up to VECGATE_SNAPSHOT_UPLOAD_MB. */
  private uploading = 0;

  private get scope() {
    return this.collections.scope;
  }

  async create(name: string): Promise<SnapshotDescription> {
    const c = await this.collections.get(name);
    return describe(await this.backups.create(this.scope, c.name, { name: null, description: SNAPSHOT_DESCRIPTION }));
  }

  async list(name: string): Promise<SnapshotDescription[]> {
    const c = await this.collections.get(name);
    const out: SnapshotDescription[] = [];
    let after: { createdAt: Date; id: string } | null = null;
    do {
      const page = await this.backups.list(this.scope, c.name, { limit: 100, after });
      for (const b of page.items) if (b.description === SNAPSHOT_DESCRIPTION) out.push(describe(b));
      after = page.after;
    } while (after);
    return out;
  }

  /** The snapshot of that name, of this collection (or of any, `anyCollection`: recovery may take another's). */
  private async find(collection: string | null, snapshot: string): Promise<Backup> {
    const id = backupIdOf(snapshot);
    const missing = () => QdrantHttpError.notFound(`Snapshot ${snapshot} not found`);
    if (!id) throw missing();
    let backup: Backup;
    try {
      backup = await this.backups.get(this.scope, id);
    } catch (err) {
      if (err instanceof NotFoundError) throw missing();
      throw err;
    }
    if (backup.description !== SNAPSHOT_DESCRIPTION || describe(backup).name !== snapshot) throw missing();
    if (collection !== null && backup.sourceName !== collection) throw missing();
    return backup;
  }

  async delete(name: string, snapshot: string): Promise<boolean> {
    const c = await this.collections.get(name);
    const backup = await this.find(c.name, snapshot);
    await this.backups.delete(this.scope, backup.id);
    return true;
  }

  /** The snapshot file, written as it is read: a header line, then the points in pages. */
  async download(name: string, snapshot: string): Promise<Readable> {
    const c = await this.collections.get(name);
    return Readable.from(this.lines(await this.find(c.name, snapshot)));
  }

  private async *lines(backup: Backup): AsyncGenerator<string | Buffer> {
    const layout = layoutOf(backup);
    const header: SnapshotHeader = {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      collection: backup.sourceName,
      created_at: backup.createdAt.toISOString(),
      points_count: backup.recordCount,
      config: createBody(backup, layout),
      payload_schema: layout.payloadIndexes,
    };
    yield `${JSON.stringify(header)}\n`;
    let afterId: string | null = null;
    for (;;) {
      const page = await this.backups.readRecords(this.scope, backup, {
        namespace: DEFAULT_NAMESPACE,
        afterId,
        limit: SNAPSHOT_BATCH,
      });
      for (const r of page) {
        const { id, ...rest } = shownRecord(r, layout, true, true);
        const point = isQdrantId(r.id) ? { id, ...rest } : { id, [KEEP_ID]: true, ...rest };
        const line = serializeWithRaw(point);
        yield typeof line === 'string' ? `${line}\n` : Buffer.concat([line, Buffer.from('\n')]);
      }
      if (page.length < SNAPSHOT_BATCH) return;
      afterId = page[page.length - 1].id;
    }
  }

  /**
   * PUT snapshots/recover: `location` names a snapshot this gateway holds (its name last, as in
   * `file:///qdrant/snapshots/<collection>/<name>` or the download URL). The collection `name` is
   * made from it, replacing one of that name, in one transaction. A `checksum` is checked against
   * the snapshot's file first. vecgate does not fetch other URLs: upload the file instead.
   */
  async recover(name: string, body: JsonObject): Promise<boolean> {
    onlyFields(body, FIELDS.SnapshotRecover, 'the body');
    if (typeof body.location !== 'string' || body.location === '')
      throw QdrantHttpError.format('location must be a string: the name or URL of a snapshot');
    const snapshot = body.location.split('/').pop() ?? '';
    if (!backupIdOf(snapshot))
      throw QdrantHttpError.badRequest(
        `vecgate recovers from its own snapshots, named in location (${JSON.stringify(snapshot)} is none), or from a file sent to POST /collections/${name}/snapshots/upload; it fetches no URL`,
      );
    const backup = await this.find(null, snapshot);
    if (body.checksum !== undefined && body.checksum !== null) {
      const hash = createHash('sha256');
      for await (const chunk of this.lines(backup)) hash.update(chunk);
      checkChecksum(body.checksum, hash.digest('hex'));
    }
    const spec = (b: Backup): NewCollection => ({
      name,
      dimension: b.dimension,
      metric: b.metric,
      index: b.index,
      metadata: b.metadata,
      extras: b.extras,
      schema: b.schema,
      recordIndexes: b.recordIndexes,
      vectors: b.vectors.map(({ name: n, kind, dimension, metric, index, multivector, storage }) => ({
        name: n,
        kind,
        dimension,
        metric,
        index,
        ...(multivector ? { multivector, storage } : {}),
      })),
    });
    checkCollectionName(name);
    await this.backups.restore(this.scope, backup.id, spec, { replace: true });
    return true;
  }

  /**
   * POST snapshots/upload: a snapshot file, written to a temporary file as it arrives (with its
   * checksum), then read line by line from there: the collection `name` is made from its header and
   * points, replacing one of that name, in one transaction (a bad line, or a checksum that does not
   * match, leaves everything as it was). The transaction never waits for the client: a slow or
   * stalled upload held it open, and on the embedded database, whose one connection it held, every
   * other request with it. Each line is bound as a request body is (VECGATE_BODY_LIMIT_MB): a point
   * gets in no larger than an upsert takes it.
   */
  async upload(name: string, file: Readable, checksum: string | undefined): Promise<boolean> {
    if (this.uploading >= MAX_UPLOADS_AT_ONCE)
      throw new QdrantHttpError(
        503,
        `Service unavailable: ${MAX_UPLOADS_AT_ONCE} snapshot uploads are under way on this server; retry when one is done`,
      );
    this.uploading++;
    const dir = await mkdtemp(join(tmpdir(), 'vecgate-snapshot-'));
    try {
      const path = join(dir, 'upload.jsonl');
      const hash = createHash('sha256');
      await pipeline(received(file, hash), createWriteStream(path));
      // A file past the upload limit ends early: the multipart reader cuts it and marks the stream.
      if ((file as Readable & { truncated?: boolean }).truncated === true)
        throw new QdrantHttpError(413, 'the snapshot file is larger than VECGATE_SNAPSHOT_UPLOAD_MB allows');
      if (checksum !== undefined) checkChecksum(checksum, hash.digest('hex'));
      return await this.load(name, createReadStream(path));
    } catch (err) {
      if (err instanceof LineTooLongError)
        throw new QdrantHttpError(
          413,
          `snapshot line ${err.line} is larger than allowed (limit: ${err.maxBytes} bytes): a line is bound by VECGATE_BODY_LIMIT_MB, as a request body is`,
        );
      throw err;
    } finally {
      this.uploading--;
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async load(name: string, file: Readable): Promise<boolean> {
    const lines = boundedLines(file, this.config.bodyLimitBytes)[Symbol.asyncIterator]();
    try {
      const first = await lines.next();
      if (first.done) throw QdrantHttpError.badRequest('the snapshot file is empty');
      const header = parseHeader(first.value);
      const spec = this.collections.specOf(name, header.config);
      // Checked as the create-index route checks each: a key it refuses made the collection's info a 400 for good.
      const payloadIndexes = payloadSchemaOf(header.payload_schema);
      spec.extras = { ...spec.extras, qdrant: { ...(spec.extras.qdrant as QdrantLayout), payloadIndexes } };
      spec.textFields = textFieldsOf(payloadIndexes);
      const points = this.points;
      await this.records.load(
        this.scope,
        spec,
        async function* (collection) {
          const layout = layoutOf(collection);
          let batch: unknown[] = [];
          let kept: (string | undefined)[] = [];
          let lineNo = 1;
          const flush = (): RecordWrite[] => {
            const records = withLine(lineNo - batch.length + 1, () => points.pointWrites(collection, layout, batch));
            // One record per point, in order: the ids kept as they are replace their placeholders.
            records.forEach((r, i) => (r.id = kept[i] ?? r.id));
            batch = [];
            kept = [];
            return records;
          };
          for (let next = await lines.next(); !next.done; next = await lines.next()) {
            lineNo++;
            if (next.value.trim() === '') continue;
            const point = parsePoint(next.value, lineNo);
            kept.push(takeKeptId(point, lineNo));
            batch.push(point);
            if (batch.length >= SNAPSHOT_BATCH) yield flush();
          }
          if (batch.length > 0) yield flush();
        },
        { replace: true },
      );
      return true;
    } finally {
      await lines.return(undefined);
      file.destroy();
    }
  }
}

/**
 * The file's bytes as they arrive, hashed on the way. A file that breaks off (a form that ends
 * before its closing boundary, a client gone) is refused: that stream errs, once, maybe before
 * the upload reads it, and only an iterator over it sees that error rather than waiting forever.
 */
async function* received(file: Readable, hash: Hash): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of file.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      yield chunk;
    }
  } catch (err) {
    throw QdrantHttpError.badRequest(`the snapshot file was not received whole: ${(err as Error).message}`);
  }
}

function checkChecksum(expected: unknown, actual: string): void {
  if (typeof expected !== 'string') throw QdrantHttpError.format('checksum must be a string');
  if (expected.toLowerCase() !== actual)
    throw QdrantHttpError.badRequest(`Snapshot checksum mismatch: expected ${expected}, got ${actual}`);
}

/** Errors of a batch of points, said with the line of the file its first point came from. */
function withLine<T>(firstLine: number, work: () => T): T {
  try {
    return work();
  } catch (err) {
    if (err instanceof QdrantHttpError)
      throw new QdrantHttpError(err.status, `snapshot lines from ${firstLine}: ${err.message}`);
    throw err;
  }
}
