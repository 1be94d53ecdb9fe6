import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { Database, type Queryable } from '../../database/database';
import type { Collection, NewCollection } from '../collections/collection.model';
import { CollectionsService } from '../collections/collections.service';
import { RecordTableRepository, recordTableName, sameColumns } from '../collections/record-table.repository';
import { LimitReachedError, NotFoundError } from '../errors';
import { RecordsService } from '../records/records.service';
import { RecordsRepository } from '../records/records.repository';
import type { StoredRecord } from '../records/record.model';
import { ALL } from '../filters/filter-ast';
import type { Scope } from '../scope';
import { TenantsService } from '../tenants/tenants.service';
import {
  BACKUP_ID,
  DEFAULT_MAX_BACKUPS_PER_COLLECTION,
  MAX_BACKUPS_PER_COLLECTION,
  type Backup,
  type BackupSet,
  type Page,
  type PageStart,
  type RestoreJob,
} from './backup.model';
import { BackupsRepository } from './backups.repository';

/**
 * Backups of collections and collections made from them. A backup is a copy of the collection's
 * table taken in one transaction (one snapshot: no record half-written, the counts those of the
 * copy); a restore copies it into a new collection in one transaction too, so a restore job is
 * complete when it is seen at all. The new collection gets its HNSW index as any loaded one does.
 * A collection holds at most `maxPerCollection` backups, whichever protocol took them: each is a
 * whole copy of its table.
 */
@Injectable()
export class BackupsService {
  private readonly maxPerCollection: number;

  constructor(
    private readonly db: Database,
    private readonly tenants: TenantsService,
    private readonly collections: CollectionsService,
    private readonly tables: RecordTableRepository,
    private readonly records: RecordsService,
    private readonly recordsRepository: RecordsRepository,
    private readonly repository: BackupsRepository,
    @Optional() @Inject(MAX_BACKUPS_PER_COLLECTION) maxPerCollection?: number,
  ) {
    this.maxPerCollection = maxPerCollection ?? DEFAULT_MAX_BACKUPS_PER_COLLECTION;
  }

  private async databaseId(scope: Scope, db: Queryable = this.db): Promise<string> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database, db);
    if (!database) throw new NotFoundError('database', scope.database);
    return database.id;
  }

  async create(
    scope: Scope,
    collectionName: string,
    details: { name: string | null; description: string | null },
  ): Promise<Backup> {
    return this.db.transaction(async (tx) => {
      const collection = await this.collections.getByName(scope, collectionName, tx, 'share');
      if ((await this.repository.countTakenOf(tx, collection.id)) >= this.maxPerCollection)
        throw new LimitReachedError('backup', this.maxPerCollection, collection.name);
      return this.copy(tx, collection, details);
    });
  }

  /** A bare copy of the collection's table (keys only; the filter and vector indexes are built again on restore), and its row. */
  private async copy(
    tx: Queryable,
    collection: Collection,
    details: { name: string | null; description: string | null; setId?: string },
  ): Promise<Backup> {
    const id = randomUUID();
    const tableName = recordTableName(id);
    await this.tables.create(tx, tableName, { metadata: false, document: false });
    if (collection.dimension) await this.tables.setDimension(tx, tableName, collection.dimension);
    await this.tables.addVectorColumns(tx, tableName, collection.vectors, false);
    await this.tables.copyRecords(tx, collection.tableName, tableName, sameColumns(collection.vectors));
    return this.repository.insert(tx, { id, tableName, ...details }, collection);
  }

  /** Records the SHA-256 and size of the backup's file, as its protocol wrote it out. */
  async setFile(backup: Backup, file: { checksum: string; size: number }): Promise<void> {
    await this.repository.setFile(this.db, backup.id, file);
  }

  /**
   * A set of backups taken in one transaction, one of each collection of the scope's database
   * named (those deleted meanwhile are left out). A database holds at most `maxPerCollection`
   * sets; a set's backups do not count against their collections' own bound.
   */
  async createSet(
    scope: Scope,
    collectionNames: string[],
    description: string | null,
  ): Promise<{ set: BackupSet; backups: Backup[] }> {
    return this.db.transaction(async (tx) => {
      const databaseId = await this.databaseId(scope, tx);
      if ((await this.repository.countSets(tx, databaseId)) >= this.maxPerCollection)
        throw new LimitReachedError('backup set', this.maxPerCollection, scope.database);
      const set = await this.repository.insertSet(tx, { id: randomUUID(), databaseId, description });
      const backups: Backup[] = [];
      for (const name of collectionNames) {
        let collection: Collection;
        try {
          collection = await this.collections.getByName(scope, name, tx, 'share');
        } catch (err) {
          if (err instanceof NotFoundError) continue;
          throw err;
        }
        backups.push(await this.copy(tx, collection, { name: null, description, setId: set.id }));
      }
      return { set, backups };
    });
  }

  async getSet(scope: Scope, id: string): Promise<{ set: BackupSet; backups: Backup[] }> {
    if (!BACKUP_ID.test(id)) throw new NotFoundError('backup set', id, 'id');
    const set = await this.repository.findSet(this.db, await this.databaseId(scope), id);
    if (!set) throw new NotFoundError('backup set', id, 'id');
    return { set, backups: await this.repository.setMembers(this.db, set.id) };
  }

  /** The database's sets, oldest first. */
  async listSets(scope: Scope): Promise<BackupSet[]> {
    return this.repository.listSets(this.db, await this.databaseId(scope));
  }

  async setSetFile(set: BackupSet, file: { checksum: string; size: number }): Promise<void> {
    await this.repository.setSetFile(this.db, set.id, file);
  }

  /** Deletes the set and drops its backups' tables, in one transaction. */
  async deleteSet(scope: Scope, id: string): Promise<void> {
    if (!BACKUP_ID.test(id)) throw new NotFoundError('backup set', id, 'id');
    await this.db.transaction(async (tx) => {
      const tables = await this.repository.deleteSet(tx, await this.databaseId(scope, tx), id);
      if (!tables) throw new NotFoundError('backup set', id, 'id');
      for (const table of tables) await this.tables.drop(tx, table);
    });
  }

  async get(scope: Scope, id: string): Promise<Backup> {
    if (!BACKUP_ID.test(id)) throw new NotFoundError('backup', id, 'id');
    const found = await this.repository.find(this.db, await this.databaseId(scope), id);
    if (!found) throw new NotFoundError('backup', id, 'id');
    return found;
  }

  /** The database's backups, or those of the collection of that name (which must exist). */
  async list(scope: Scope, collectionName: string | null, start: PageStart): Promise<Page<Backup>> {
    const databaseId = await this.databaseId(scope);
    const source: Collection | null =
      collectionName === null ? null : await this.collections.getByName(scope, collectionName);
    return this.repository.list(this.db, databaseId, source?.id ?? null, start);
  }

  /**
   * The backups taken of collections of that name, the one there is now or any before it (as
   * Qdrant lists a collection's snapshots: a recovery replaces the collection, not its snapshots).
   */
  async listOfName(scope: Scope, collectionName: string, start: PageStart): Promise<Page<Backup>> {
    return this.repository.listOfName(this.db, await this.databaseId(scope), collectionName, start);
  }

  async delete(scope: Scope, id: string): Promise<void> {
    if (!BACKUP_ID.test(id)) throw new NotFoundError('backup', id, 'id');
    await this.db.transaction(async (tx) => {
      const deleted = await this.repository.delete(tx, await this.databaseId(scope, tx), id);
      if (!deleted) throw new NotFoundError('backup', id, 'id');
      await this.tables.drop(tx, deleted.tableName);
    });
  }

  /**
   * A new collection holding the backup's records, made by `spec` from the backup's settings. The
   * name taken is the protocol's 409, and nothing is created; with `replace`, a collection of that
   * name is deleted first, in the same transaction (Qdrant's snapshot recovery). The named vectors
   * the spec keeps are copied with the records.
   */
  async restore(
    scope: Scope,
    backupId: string,
    spec: (backup: Backup) => NewCollection,
    { replace = false }: { replace?: boolean } = {},
  ): Promise<{ job: RestoreJob; collection: Collection }> {
    if (!BACKUP_ID.test(backupId)) throw new NotFoundError('backup', backupId, 'id');
    const createdAt = new Date();
    const result = await this.db.transaction(async (tx) => {
      const databaseId = await this.databaseId(scope, tx);
      const backup = await this.repository.find(tx, databaseId, backupId, true);
      if (!backup) throw new NotFoundError('backup', backupId, 'id');
      // The text fields go with the records (their words are analysed again as the copy is written).
      const wanted = {
        textFields: backup.textFields.map(({ path, analyzer }) => ({ path, analyzer })),
        ...spec(backup),
      };
      if (replace) await this.collections.deleteIn(tx, scope, wanted.name, true);
      const collection = await this.collections.createIn(tx, scope, wanted, false);
      // A vector the spec keeps whole is copied by name: the new collection numbers its positions afresh.
      const kept = collection.vectors.flatMap((f) => {
        const b = backup.vectors.find(
          (v) =>
            v.name === f.name &&
            v.kind === f.kind &&
            v.dimension === f.dimension &&
            !!v.multivector === !!f.multivector &&
            (v.storage ?? 'float32') === (f.storage ?? 'float32'),
        );
        return b ? [{ from: b.position, to: f.position }] : [];
      });
      await this.tables.copyRows(tx, backup.tableName, collection.tableName, collection.id, kept);
      await this.repository.registerNamespaces(tx, backup, collection.id);
      const job = await this.repository.insertRestoreJob(tx, {
        id: randomUUID(),
        databaseId,
        backupId,
        targetName: collection.name,
        targetId: collection.id,
        createdAt,
      });
      return { job, collection };
    });
    this.records.announceWrite(result.collection.id);
    return result;
  }

  /**
   * A page of the records of one namespace of a backup (as `get` found it), in byte order of ids
   * after `afterId`, with every column (named vectors too): how a protocol writes a backup out as
   * a file, page after page, without reading the backup's row again for each.
   */
  async readRecords(
    scope: Scope,
    backup: Backup,
    { namespace, afterId, limit }: { namespace: string; afterId: string | null; limit: number },
  ): Promise<StoredRecord[]> {
    return this.recordsRepository.findAfterId(this.db.reads, asCollection(backup, scope), {
      namespace,
      filter: ALL,
      include: { embeddings: true, sparse: true, vectors: true, documents: true, uris: true, metadatas: true },
      afterId,
      limit,
    });
  }

  async getRestoreJob(scope: Scope, id: string): Promise<RestoreJob> {
    if (!BACKUP_ID.test(id)) throw new NotFoundError('restore job', id, 'id');
    const found = await this.repository.findRestoreJob(this.db, await this.databaseId(scope), id);
    if (!found) throw new NotFoundError('restore job', id, 'id');
    return found;
  }

  async listRestoreJobs(scope: Scope, start: PageStart): Promise<Page<RestoreJob>> {
    return this.repository.listRestoreJobs(this.db, await this.databaseId(scope), start);
  }
}

/** A backup's copy read as a collection's table: the same columns, the settings it was taken with. */
function asCollection(backup: Backup, scope: Scope): Collection {
  return {
    id: backup.id,
    name: backup.sourceName,
    tenant: scope.tenant,
    database: scope.database,
    databaseId: backup.databaseId,
    dimension: backup.dimension,
    metric: backup.metric,
    index: backup.index,
    metadata: backup.metadata,
    extras: backup.extras,
    schema: backup.schema,
    recordIndexes: { metadata: false, document: false },
    tableName: backup.tableName,
    vectorIndexed: false,
    namespaced: backup.namespaces.some((n) => n !== ''),
    tuning: null,
    vectors: backup.vectors,
    textFields: [],
    createdAt: backup.createdAt,
  };
}
