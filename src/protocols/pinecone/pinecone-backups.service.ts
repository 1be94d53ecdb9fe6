import { Inject, Injectable } from '@nestjs/common';
import { BACKUP_ID, type Page, type PageStart } from '../../core/backups/backup.model';
import { BackupsService } from '../../core/backups/backups.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { Scope } from '../../core/scope';
import { defaultScope } from '../default-scope';
import { backupModel, restoreJobModel } from './backup.mapper';
import { validateIndexName } from './index-names';
import { checkDeletionProtection, checkTags, pineconeExtras, readCapacityOf } from './index-spec';
import { decodeToken, encodeToken, limitParam } from './pagination-token';
import { PineconeControlError } from './pinecone-error';

/** A backup's name: Pinecone's rule (2026-07), 1 to 45 lowercase letters, digits and '-'. */
const BACKUP_NAME = /^[a-z0-9-]{1,45}$/;
const MAX_DESCRIPTION = 1000;

/** A page token: where the last page ended, (created_at, id). */
function pageStart(limit: string | undefined, token: string | undefined, fallback: number): PageStart {
  const decoded = decodeToken(token);
  let after: PageStart['after'] = null;
  if (decoded !== null) {
    const [at, id] = decoded.split('|');
    const createdAt = new Date(at);
    if (!BACKUP_ID.test(id ?? '') || Number.isNaN(createdAt.getTime()))
      throw PineconeControlError.invalid('Invalid pagination token');
    after = { createdAt, id };
  }
  return { limit: limitParam(limit, fallback, 100), after };
}

function pageOf<T, W>(page: Page<T & { createdAt: Date; id: string }>, wire: (item: T) => W) {
  const next = page.after ? encodeToken(`${page.after.createdAt.toISOString()}|${page.after.id}`) : null;
  return { data: page.items.map(wire), pagination: next === null ? null : { next } };
}

/** Pinecone's backups and restore jobs (control plane, API 2025-04 and later) over the core's backups. */
@Injectable()
export class PineconeBackupsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly backups: BackupsService,
  ) {}

  get scope(): Scope {
    return defaultScope(this.config);
  }

  async create(indexName: string, body: { name?: unknown; description?: unknown }) {
    const name = body.name ?? null;
    if (name !== null && (typeof name !== 'string' || !BACKUP_NAME.test(name)))
      throw PineconeControlError.invalid("Backup name must be 1 to 45 characters of lowercase letters, digits and '-'");
    const description = body.description ?? null;
    if (description !== null && (typeof description !== 'string' || description.length > MAX_DESCRIPTION))
      throw PineconeControlError.invalid(
        `Backup description must be a string of at most ${MAX_DESCRIPTION} characters`,
      );
    return backupModel(await this.backups.create(this.scope, indexName, { name, description }));
  }

  async list(indexName: string | null, limit: string | undefined, token: string | undefined) {
    return pageOf(await this.backups.list(this.scope, indexName, pageStart(limit, token, 10)), backupModel);
  }

  async describe(id: string) {
    return backupModel(await this.backups.get(this.scope, id));
  }

  delete(id: string): Promise<void> {
    return this.backups.delete(this.scope, id);
  }

  /** A new index from a backup: the backup's settings, the request's name, tags and protections. */
  async createIndex(backupId: string, body: Record<string, unknown>) {
    const name = validateIndexName(body.name);
    const tags = checkTags(body.tags);
    const protection = checkDeletionProtection(body.deletion_protection);
    const readCapacity =
      body.read_capacity === undefined || body.read_capacity === null ? undefined : readCapacityOf(body.read_capacity);
    const { job, collection } = await this.backups.restore(this.scope, backupId, (backup) => {
      const extras = pineconeExtras(backup);
      if (tags !== null) extras.tags = tags;
      extras.deletion_protection = protection ?? 'disabled';
      if (readCapacity) extras.read_capacity = readCapacity;
      return {
        name,
        dimension: backup.dimension,
        metric: backup.metric,
        index: backup.index,
        metadata: backup.metadata,
        extras: { ...backup.extras, pinecone: extras },
        schema: backup.schema,
        recordIndexes: backup.recordIndexes,
      };
    });
    return { restore_job_id: job.id, index_id: collection.id };
  }

  async listRestoreJobs(limit: string | undefined, token: string | undefined) {
    return pageOf(await this.backups.listRestoreJobs(this.scope, pageStart(limit, token, 10)), restoreJobModel);
  }

  async describeRestoreJob(id: string) {
    return restoreJobModel(await this.backups.getRestoreJob(this.scope, id));
  }
}
