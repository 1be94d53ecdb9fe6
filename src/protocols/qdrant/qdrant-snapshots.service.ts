import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Inject, Injectable } from '@nestjs/common';
import { boundedLines, LineTooLongError } from '../../common/bounded-lines';
import { serializeWithRaw } from '../../common/raw-json';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Backup, BackupSet } from '../../core/backups/backup.model';
import { BackupsService } from '../../core/backups/backups.service';
import type { NewCollection } from '../../core/collections/collection.model';
import { LimitReachedError, NotFoundError } from '../../core/errors';
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
import { tarEnd, tarHeader, tarPadding } from './snapshot-tar';

/** What marks a backup as a Qdrant snapshot (Pinecone's backups of the collection are not listed as snapshots). */
const SNAPSHOT_DESCRIPTION = 'Qdrant snapshot';
/** ... as a snapshot of the collection's one shard (shard 0), listed apart as Qdrant lists them. */
const SHARD_SNAPSHOT_DESCRIPTION = 'Qdrant shard snapshot';
/** ... as a full-storage snapshot: a set of backups, one of each collection, taken together. */
const FULL_SNAPSHOT_DESCRIPTION = 'Qdrant full snapshot';

/** A collection snapshot, or a snapshot of its one shard. */
export type SnapshotKind = 'collection' | 'shard';
const DESCRIPTIONS: Record<SnapshotKind, string> = {
  collection: SNAPSHOT_DESCRIPTION,
  shard: SHARD_SNAPSHOT_DESCRIPTION,
};

/**
 * A recovery body's fields: SnapshotRecover's, and `wait`, which Qdrant's own tests send in the
 * body (it belongs in the query), ignored there as Qdrant ignores it.
 */
const RECOVER_FIELDS = [...FIELDS.SnapshotRecover, 'wait'] as const;

/** The one shard of a vecgate collection. */
const SHARD = 0;

/** Where Qdrant keeps snapshot files, which `file://` locations name (vecgate keeps them in the database). */
const SNAPSHOTS_DIRECTORY = '/qdrant/snapshots';

/** How long a fetched snapshot may wait for its server's answer, and then between two pieces of its body. */
const FETCH_IDLE_MS = 60_000;

/** Snapshot uploads one process receives at once: each may take VECGATE_SNAPSHOT_UPLOAD_MB of temporary disk. */
const MAX_UPLOADS_AT_ONCE = 2;

/** Qdrant's SnapshotDescription. */
export interface SnapshotDescription {
  name: string;
  creation_time: string;
  size: number;
  checksum: string | null;
}

function snapshotPrefix(backup: Backup): string {
  return backup.description === SHARD_SNAPSHOT_DESCRIPTION ? `${backup.sourceName}-shard-${SHARD}` : backup.sourceName;
}

function describe(backup: Backup): SnapshotDescription {
  return {
    name: snapshotName(snapshotPrefix(backup), backup.id, backup.createdAt),
    creation_time: backup.createdAt.toISOString().slice(0, 19),
    // The file's size and SHA-256, counted when it was taken (before that, the copy's size in Postgres).
    size: backup.fileSize ?? backup.sizeBytes,
    checksum: backup.fileChecksum,
  };
}

function fullName(set: BackupSet): string {
  return snapshotName('full-snapshot', set.id, set.createdAt);
}

function describeFull(set: BackupSet): SnapshotDescription {
  return {
    name: fullName(set),
    creation_time: set.createdAt.toISOString().slice(0, 19),
    size: set.fileSize ?? 0,
    checksum: set.fileChecksum,
  };
}

/** The name of a full snapshot's entry holding one collection's snapshot file (tar names are short and ASCII). */
function memberEntry(backup: Backup): string {
  return `${backup.id}.snapshot`;
}

/**
 * A `checksum` as Qdrant validates it (a SHA-256 in hex), before anything is read: a 422 in its
 * words, or the checksum (undefined when none was sent).
 */
export function checkSha256(value: unknown, where: 'query parameters' | 'JSON body'): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw QdrantHttpError.format('checksum: invalid type, expected a string');
  if (value.length !== 64)
    throw new QdrantHttpError(
      422,
      `Validation error in ${where}: [checksum: Validation error: invalid_sha256_hash [{"length": Number(${value.length}), "expected_length": Number(64)}]]`,
    );
  if (!/^[0-9a-fA-F]+$/.test(value))
    throw new QdrantHttpError(
      422,
      `Validation error in ${where}: [checksum: invalid characters, expected 0-9, a-f, A-F]`,
    );
  return value;
}

/** A shard id of a path: vecgate's collections have one shard, 0. */
export function checkShard(shard: string): void {
  if (!/^\d{1,10}$/.test(shard) || Number(shard) > 0xffffffff)
    throw new QdrantHttpError(400, `Deserialize error in path parameters: can not parse "${shard}" to a u32`);
  if (Number(shard) !== SHARD) throw QdrantHttpError.notFound(`shard ${Number(shard)} not found`);
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

  /** The collection a shard route names (404 when none), checked to be asked for its one shard. */
  private async shardOf(name: string, shard: string): Promise<string> {
    const c = await this.collections.get(name);
    checkShard(shard);
    return c.name;
  }

  async create(name: string, kind: SnapshotKind = 'collection'): Promise<SnapshotDescription> {
    const c = await this.collections.get(name);
    const backup = await this.backups.create(this.scope, c.name, { name: null, description: DESCRIPTIONS[kind] });
    // The file is written when downloaded; its checksum and size are counted now, once, for every replica to list.
    const file = await counted(this.lines(backup));
    await this.backups.setFile(backup, file);
    return describe({ ...backup, fileChecksum: file.checksum, fileSize: file.size });
  }

  async createShard(name: string, shard: string): Promise<SnapshotDescription> {
    return this.create(await this.shardOf(name, shard), 'shard');
  }

  async list(name: string, kind: SnapshotKind = 'collection'): Promise<SnapshotDescription[]> {
    const c = await this.collections.get(name);
    const out: SnapshotDescription[] = [];
    let after: { createdAt: Date; id: string } | null = null;
    do {
      // By name: a recovery replaces the collection, and its snapshots stay listed (as in Qdrant).
      const page = await this.backups.listOfName(this.scope, c.name, { limit: 100, after });
      for (const b of page.items) if (b.description === DESCRIPTIONS[kind]) out.push(describe(b));
      after = page.after;
    } while (after);
    return out;
  }

  async listShard(name: string, shard: string): Promise<SnapshotDescription[]> {
    return this.list(await this.shardOf(name, shard), 'shard');
  }

  /**
   * The snapshot of that name, of one of `kinds`, of this collection (or of any, `collection`
   * null: recovery may take another's). A name is looked up by the backup id it carries, and must
   * then be that snapshot's whole name: any other (a path, `../..`) names nothing.
   */
  private async find(kinds: SnapshotKind[], collection: string | null, snapshot: string): Promise<Backup> {
    const backup = await this.held(kinds, collection, snapshot);
    if (!backup) throw QdrantHttpError.notFound(`Snapshot ${snapshot} not found`);
    return backup;
  }

  private async held(kinds: SnapshotKind[], collection: string | null, snapshot: string): Promise<Backup | null> {
    const id = backupIdOf(snapshot);
    if (!id) return null;
    let backup: Backup;
    try {
      backup = await this.backups.get(this.scope, id);
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
    if (!kinds.some((k) => backup.description === DESCRIPTIONS[k]) || describe(backup).name !== snapshot) return null;
    if (collection !== null && backup.sourceName !== collection) return null;
    return backup;
  }

  async delete(name: string, snapshot: string, kind: SnapshotKind = 'collection'): Promise<boolean> {
    const c = await this.collections.get(name);
    const backup = await this.find([kind], c.name, snapshot);
    await this.backups.delete(this.scope, backup.id);
    return true;
  }

  async deleteShard(name: string, shard: string, snapshot: string): Promise<boolean> {
    return this.delete(await this.shardOf(name, shard), snapshot, 'shard');
  }

  /** The snapshot file, written as it is read: a header line, then the points in pages. */
  async download(name: string, snapshot: string, kind: SnapshotKind = 'collection'): Promise<Readable> {
    const c = await this.collections.get(name);
    return Readable.from(this.lines(await this.find([kind], c.name, snapshot)));
  }

  async downloadShard(name: string, shard: string, snapshot: string): Promise<Readable> {
    return this.download(await this.shardOf(name, shard), snapshot, 'shard');
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
   * PUT snapshots/recover. `location` is a snapshot this gateway holds, named last in a
   * `file://` path (`file:///qdrant/snapshots/<collection>/<name>`), in a URL (its download URL)
   * or alone; or an http(s) URL of a snapshot file, fetched (VECGATE_SNAPSHOT_URL_RECOVERY). The
   * collection `name` is made from it, replacing one of that name, in one transaction. A
   * `checksum` is checked against the file first.
   */
  async recover(name: string, body: JsonObject): Promise<boolean> {
    onlyFields(body, RECOVER_FIELDS, 'the body');
    const checksum = checkSha256(body.checksum, 'JSON body');
    if (typeof body.location !== 'string' || body.location === '')
      throw QdrantHttpError.format('location must be a string: the name or URL of a snapshot');
    checkCollectionName(name);
    const source = await this.locate(body.location, ['collection', 'shard'], 'collection');
    return this.recoverFrom(name, source, checksum, body.api_key);
  }

  /**
   * PUT shards/{shard}/snapshots/recover: as recover, into the collection of that name, which
   * must exist (its one shard is the whole collection). A `file://` location is refused, as Qdrant
   * refuses it here.
   */
  async recoverShard(name: string, shard: string, body: JsonObject): Promise<boolean> {
    onlyFields(body, RECOVER_FIELDS, 'the body');
    const checksum = checkSha256(body.checksum, 'JSON body');
    if (typeof body.location !== 'string' || body.location === '')
      throw QdrantHttpError.format('location must be a string: the name or URL of a snapshot');
    const collection = await this.shardOf(name, shard);
    const source = await this.locate(body.location, ['shard', 'collection'], 'shard');
    return this.recoverFrom(collection, source, checksum, body.api_key);
  }

  /** What a recovery's `location` names: a snapshot this gateway holds, or a URL to fetch. */
  private async locate(
    location: string,
    kinds: SnapshotKind[],
    route: SnapshotKind,
  ): Promise<{ held: Backup } | { url: URL }> {
    let url: URL | null;
    try {
      url = /^[a-z][a-z0-9+.-]*:/i.test(location) ? new URL(location) : null;
    } catch {
      throw QdrantHttpError.format(`location: invalid URL ${JSON.stringify(location)}`);
    }
    const missing = (what: string) => QdrantHttpError.notFound(`Snapshot ${what} not found`);
    if (url === null) {
      // A name alone: a snapshot this gateway holds (Qdrant's shard route takes a file name so).
      const held = await this.held(kinds, null, location);
      if (held) return { held };
      throw missing(location);
    }
    const last = decodeURIComponent(url.pathname.split('/').pop() ?? '');
    if (url.protocol === 'file:') {
      if (route === 'shard')
        throw QdrantHttpError.wrongInput(`Invalid snapshot URL ${url.href}: URLs with file scheme are not supported`);
      if (url.host !== '' && url.host !== 'localhost')
        throw QdrantHttpError.badRequest('Invalid snapshot URI, file path must be absolute or on localhost');
      const path = decodeURIComponent(url.pathname);
      const held = await this.held(kinds, null, last);
      if (held) return { held };
      // vecgate's snapshot directory is the database: a snapshot's name it does not hold does not
      // exist, and no other file is read.
      if (last.endsWith('.snapshot'))
        throw QdrantHttpError.badRequest(`Snapshot file ${JSON.stringify(path)} does not exist`);
      throw new QdrantHttpError(
        403,
        `Forbidden: Snapshot file path must be inside the snapshots directory ${JSON.stringify(SNAPSHOTS_DIRECTORY)}: vecgate keeps its snapshots in the database and reads no file`,
      );
    }
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      // A URL naming a snapshot this gateway holds (its download URL) is that snapshot: nothing is fetched.
      const held = await this.held(kinds, null, last);
      if (held) return { held };
      if (!this.config.snapshotUrlRecovery)
        throw new QdrantHttpError(
          403,
          'Forbidden: Snapshot recovery from remote URLs is disabled in the configuration',
        );
      return { url };
    }
    throw QdrantHttpError.badRequest(`URL ${url.href} with scheme ${url.protocol.slice(0, -1)} is not supported`);
  }

  private async recoverFrom(
    name: string,
    source: { held: Backup } | { url: URL },
    checksum: string | undefined,
    apiKey: unknown,
  ): Promise<boolean> {
    if ('url' in source) return this.fetchAndLoad(name, source.url, checksum, apiKey);
    const backup = source.held;
    if (checksum !== undefined) {
      const actual = backup.fileChecksum ?? (await counted(this.lines(backup))).checksum;
      checkChecksum(checksum, actual);
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
    await this.backups.restore(this.scope, backup.id, spec, { replace: true });
    return true;
  }

  /**
   * A snapshot file fetched from `url` (following redirects), bound as an upload is
   * (VECGATE_SNAPSHOT_UPLOAD_MB), then loaded as an uploaded one. Its server is given
   * FETCH_IDLE_MS to answer and then to send each piece.
   */
  private async fetchAndLoad(name: string, url: URL, checksum: string | undefined, apiKey: unknown): Promise<boolean> {
    const abort = new AbortController();
    let timer = setTimeout(() => abort.abort(), FETCH_IDLE_MS);
    const failed = (why: string) => QdrantHttpError.wrongInput(`Failed to download snapshot from ${url.href}: ${why}`);
    let response: Response;
    try {
      response = await fetch(url, {
        signal: abort.signal,
        headers: typeof apiKey === 'string' && apiKey !== '' ? { 'api-key': apiKey } : {},
      });
    } catch (err) {
      clearTimeout(timer);
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw failed(
        abort.signal.aborted ? 'no answer in time' : (cause?.code ?? cause?.message ?? (err as Error).message),
      );
    }
    if (!response.ok || response.body === null) {
      clearTimeout(timer);
      await response.body?.cancel();
      throw failed(`status - ${response.status} ${response.statusText}`);
    }
    const limit = this.config.snapshotUploadBytes;
    const web = response.body as WebReadableStream<Uint8Array>;
    async function* bounded(): AsyncGenerator<Buffer> {
      let received = 0;
      for await (const chunk of web) {
        clearTimeout(timer);
        timer = setTimeout(() => abort.abort(), FETCH_IDLE_MS);
        received += chunk.length;
        if (received > limit)
          throw new QdrantHttpError(413, 'the snapshot file is larger than VECGATE_SNAPSHOT_UPLOAD_MB allows');
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    }
    const body = Readable.from(bounded());
    try {
      return await this.upload(name, body, checksum);
    } finally {
      clearTimeout(timer);
      body.destroy();
      abort.abort();
    }
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

  /** POST shards/{shard}/snapshots/upload: as upload, into the collection of that name, which must exist. */
  async uploadShard(name: string, shard: string, file: Readable, checksum: string | undefined): Promise<boolean> {
    return this.upload(await this.shardOf(name, shard), file, checksum);
  }

  /**
   * Partial snapshots (a shard's segment files changed since a manifest): refused, after the
   * checks Qdrant makes first (the checksum, the collection, the shard). A vecgate collection has
   * no segment files to compare: a shard's whole snapshot recovers it.
   */
  async partial(name: string, shard: string, checksum?: string): Promise<never> {
    checkSha256(checksum, 'query parameters');
    await this.shardOf(name, shard);
    throw QdrantHttpError.badRequest(
      'Partial snapshots are not served: a vecgate collection has no segment files to take changes of. Take and recover a whole shard snapshot (POST and PUT /collections/{collection_name}/shards/0/snapshots...)',
    );
  }

  /** GET shards/{shard}/snapshot, a snapshot streamed as it is taken: refused after the collection's and shard's checks. */
  async streamed(name: string, shard: string): Promise<never> {
    await this.shardOf(name, shard);
    throw QdrantHttpError.badRequest(
      'Streamed shard snapshots are not served: take one (POST /collections/{collection_name}/shards/0/snapshots) and download it',
    );
  }

  /**
   * POST /snapshots: a full-storage snapshot, a snapshot of every collection taken in one
   * transaction. Its file is a tar archive (as Qdrant's is) of `config.json` (which file holds
   * which collection) and each collection's snapshot file, whose sizes and checksums, and the
   * archive's, are counted now.
   */
  async createFull(): Promise<SnapshotDescription> {
    const names = (await this.collections.list()).collections.map((c) => c.name);
    let taken: { set: BackupSet; backups: Backup[] };
    try {
      taken = await this.backups.createSet(this.scope, names, FULL_SNAPSHOT_DESCRIPTION);
    } catch (err) {
      if (err instanceof LimitReachedError)
        throw QdrantHttpError.badRequest(
          `Storage already has the maximum number of full snapshots (${err.limit}). Help: Please delete an existing snapshot before creating a new one.`,
        );
      throw err;
    }
    const backups: Backup[] = [];
    for (const backup of taken.backups) {
      const file = await counted(this.lines(backup));
      await this.backups.setFile(backup, file);
      backups.push({ ...backup, fileChecksum: file.checksum, fileSize: file.size });
    }
    const file = await counted(this.archive(taken.set, backups));
    await this.backups.setSetFile(taken.set, file);
    return describeFull({ ...taken.set, fileChecksum: file.checksum, fileSize: file.size });
  }

  async listFull(): Promise<SnapshotDescription[]> {
    return (await this.backups.listSets(this.scope))
      .filter((set) => set.description === FULL_SNAPSHOT_DESCRIPTION)
      .map(describeFull);
  }

  /** The full snapshot of that name: looked up by the id its name carries, and then by its whole name. */
  private async findFull(snapshot: string): Promise<{ set: BackupSet; backups: Backup[] }> {
    const missing = () => QdrantHttpError.notFound(`Snapshot ${snapshot} not found`);
    const id = backupIdOf(snapshot);
    if (!id) throw missing();
    try {
      const found = await this.backups.getSet(this.scope, id);
      if (found.set.description !== FULL_SNAPSHOT_DESCRIPTION || fullName(found.set) !== snapshot) throw missing();
      return found;
    } catch (err) {
      if (err instanceof NotFoundError) throw missing();
      throw err;
    }
  }

  async downloadFull(snapshot: string): Promise<Readable> {
    const { set, backups } = await this.findFull(snapshot);
    return Readable.from(this.archive(set, backups));
  }

  async deleteFull(snapshot: string): Promise<boolean> {
    const { set } = await this.findFull(snapshot);
    try {
      await this.backups.deleteSet(this.scope, set.id);
    } catch (err) {
      if (err instanceof NotFoundError) throw QdrantHttpError.notFound(`Snapshot ${snapshot} not found`);
      throw err;
    }
    return true;
  }

  /**
   * A full snapshot's tar archive: `config.json` ({"collections_mapping": {collection: entry}}, as
   * Qdrant's names it), then each collection's snapshot file, `<backup id>.snapshot`. Each size
   * is the one counted when the snapshot was taken (counted again here when it was not).
   */
  private async *archive(set: BackupSet, backups: Backup[]): AsyncGenerator<string | Buffer> {
    const config = Buffer.from(
      JSON.stringify({
        collections_mapping: Object.fromEntries(backups.map((b) => [b.sourceName, memberEntry(b)])),
      }),
    );
    yield tarHeader('config.json', config.length, set.createdAt);
    yield config;
    yield tarPadding(config.length);
    for (const backup of backups) {
      const size = backup.fileSize ?? (await counted(this.lines(backup))).size;
      yield tarHeader(memberEntry(backup), size, backup.createdAt);
      let written = 0;
      for await (const chunk of this.lines(backup)) {
        written += Buffer.byteLength(chunk);
        yield chunk;
      }
      // The file read back otherwise than it was counted (a gateway of another version wrote it): the archive would lie.
      if (written !== size)
        throw new Error(`snapshot file of ${backup.sourceName} is ${written} bytes, counted ${size}`);
      yield tarPadding(size);
    }
    yield tarEnd();
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
    if (err instanceof QdrantHttpError) throw err;
    throw QdrantHttpError.badRequest(`the snapshot file was not received whole: ${(err as Error).message}`);
  }
}

function checkChecksum(expected: string, actual: string): void {
  if (expected.toLowerCase() !== actual)
    throw QdrantHttpError.wrongInput(`Snapshot checksum mismatch: expected ${expected}, got ${actual}`);
}

/** The SHA-256 (hex) and size in bytes of a file written as `chunks`. */
async function counted(chunks: AsyncIterable<string | Buffer>): Promise<{ checksum: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += Buffer.byteLength(chunk);
  }
  return { checksum: hash.digest('hex'), size };
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
