import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AlreadyExistsError, DimensionMismatchError, InvalidArgumentError, NotFoundError } from '../common/errors';
import { assertNoPrincipal, assertScopeAllowed } from '../auth/scope-access';
import { Database, Queryable } from '../database/database';
import { TenantsRepository } from '../tenants/tenants.repository';
import { TenantsService } from '../tenants/tenants.service';
import { Collection, CollectionChanges, NewCollection } from './collection.model';
import { CollectionsRepository } from './collections.repository';
import { RecordTableRepository, recordTableName } from './record-table.repository';
import { MAX_DIMENSION } from './vector-index';

export interface Scope {
  tenant: string;
  database: string;
}

@Injectable()
export class CollectionsService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantsService,
    private readonly tenantsRepository: TenantsRepository,
    private readonly repository: CollectionsRepository,
    private readonly tables: RecordTableRepository,
  ) {}

  /**
   * Creates the collection and its record table in one transaction. With getOrCreate, an existing
   * collection of that name is returned unchanged (its settings win over the request's).
   */
  async create(scope: Scope, spec: NewCollection, getOrCreate: boolean): Promise<Collection> {
    return this.db.transaction(async (tx) => {
      const database = await this.tenants.findDatabase(scope.tenant, scope.database, tx);
      if (!database) throw new NotFoundError('database', scope.database);
      const id = randomUUID();
      const table = recordTableName(id);
      if (await this.repository.insert(tx, id, database.id, spec, table)) {
        await this.tables.create(tx, table);
        if (spec.dimension) {
          if (spec.dimension > MAX_DIMENSION) throw new InvalidArgumentError(`Dimension must be at most ${MAX_DIMENSION}, got ${spec.dimension}`);
          await this.repository.setDimension(tx, id, spec.dimension);
          await this.tables.setDimension(tx, table, spec.dimension, spec.metric, spec.index);
        }
        return (await this.repository.findById(tx, id))!;
      }
      // The name is taken: by a committed row, or by a racing insert that has now committed.
      const existing = await this.repository.findByName(tx, database.id, spec.name);
      if (!existing) throw new AlreadyExistsError('collection', spec.name);
      if (!getOrCreate) throw new AlreadyExistsError('collection', spec.name);
      return existing;
    });
  }

  async getByName(scope: Scope, name: string, db: Queryable = this.db): Promise<Collection> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database, db);
    const found = database && (await this.repository.findByName(db, database.id, name));
    if (!found) throw new NotFoundError('collection', name, 'name');
    return found;
  }

  /** A collection by id, which must belong to the scope's database (ids are not capabilities). */
  async getById(scope: Scope, id: string, db: Queryable = this.db, lock = false): Promise<Collection> {
    assertScopeAllowed(scope.tenant, scope.database);
    const found = await this.repository.findById(db, id, lock);
    if (!found || found.tenant !== scope.tenant || found.database !== scope.database) throw new NotFoundError('collection', id, 'id');
    return found;
  }

  async list(scope: Scope, limit: number | null, offset: number): Promise<Collection[]> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database);
    return database ? this.repository.list(this.db, database.id, limit, offset) : [];
  }

  async count(scope: Scope): Promise<number> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database);
    return database ? this.repository.count(this.db, database.id) : 0;
  }

  async modify(scope: Scope, id: string, changes: CollectionChanges): Promise<void> {
    await this.db.transaction(async (tx) => {
      const collection = await this.getById(scope, id, tx, true);
      if (!(await this.repository.update(tx, collection, changes))) throw new AlreadyExistsError('collection', changes.name ?? collection.name);
      const index = changes.index;
      const rebuild = index && collection.dimension && (index.m !== collection.index.m || index.efConstruction !== collection.index.efConstruction);
      if (rebuild) await this.tables.rebuildIndex(tx, collection.tableName, collection.dimension!, collection.metric, index!);
    });
  }

  async deleteByName(scope: Scope, name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const collection = await this.getByName(scope, name, tx);
      await this.repository.delete(tx, collection.id);
      await this.tables.drop(tx, collection.tableName);
    });
  }

  /** A new collection with a copy of every record (Chroma's fork). */
  async fork(scope: Scope, id: string, newName: string): Promise<Collection> {
    return this.db.transaction(async (tx) => {
      const source = await this.getById(scope, id, tx);
      const forkId = randomUUID();
      const table = recordTableName(forkId);
      const spec: NewCollection = { name: newName, metric: source.metric, index: source.index, metadata: source.metadata, extras: source.extras, schema: source.schema };
      if (!(await this.repository.insert(tx, forkId, source.databaseId, spec, table, source.id))) throw new AlreadyExistsError('collection', newName);
      await this.tables.create(tx, table);
      if (source.dimension) {
        await this.repository.setDimension(tx, forkId, source.dimension);
        await this.tables.setDimension(tx, table, source.dimension, source.metric, source.index);
      }
      await this.tables.copyRows(tx, source.tableName, table);
      return (await this.repository.findById(tx, forkId))!;
    });
  }

  async forkCount(scope: Scope, id: string): Promise<number> {
    const collection = await this.getById(scope, id);
    return this.repository.countForks(this.db, collection.id);
  }

  /** Deletes a database with its collections and their record tables. */
  async deleteDatabase(scope: Scope): Promise<void> {
    await this.db.transaction(async (tx) => {
      const database = await this.tenants.getDatabase(scope.tenant, scope.database, tx);
      for (const table of await this.repository.listTables(tx, database.id)) await this.tables.drop(tx, table);
      await this.tenantsRepository.deleteDatabase(tx, database.id);
    });
  }

  /** Drops every collection, database and tenant, then recreates the defaults. */
  async reset(): Promise<void> {
    assertNoPrincipal('Reset');
    await this.db.transaction(async (tx) => {
      for (const table of await this.repository.listTables(tx)) await this.tables.drop(tx, table);
      await this.tenantsRepository.resetCatalog(tx);
    });
  }

  /**
   * Checks a write's vectors against the collection's dimension. The first write fixes it: the
   * catalog row is locked, so of two replicas racing their first add, one types the column and
   * builds the index, and the other then sees the dimension and is checked against it.
   */
  async ensureDimension(tx: Queryable, collection: Collection, dimensions: number[]): Promise<Collection> {
    if (dimensions.length === 0) return collection;
    const first = dimensions[0];
    if (dimensions.some((d) => d !== first)) throw new InvalidArgumentError('Inconsistent dimensions in provided embeddings');
    if (collection.dimension === null) {
      if (first < 1 || first > MAX_DIMENSION) throw new InvalidArgumentError(`Embedding dimension must be between 1 and ${MAX_DIMENSION}, got ${first}`);
      const locked = (await this.repository.findById(tx, collection.id, true))!;
      if (locked.dimension === null) {
        await this.repository.setDimension(tx, collection.id, first);
        await this.tables.setDimension(tx, collection.tableName, first, collection.metric, collection.index);
        return { ...locked, dimension: first };
      }
      collection = locked;
    }
    const wrong = dimensions.find((d) => d !== collection.dimension);
    if (wrong !== undefined) throw new DimensionMismatchError(collection.dimension!, wrong);
    return collection;
  }
}
