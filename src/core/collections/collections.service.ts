import { isDeepStrictEqual } from 'node:util';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  AlreadyExistsError,
  DimensionMismatchError,
  InvalidArgumentError,
  NotFoundError,
  UnknownVectorError,
  VectorExistsError,
} from '../errors';
import { assertNoPrincipal, assertScopeAllowed } from '../auth/scope-access';
import { Database, Queryable } from '../../database/database';
import { TenantsRepository } from '../tenants/tenants.repository';
import { TenantsService } from '../tenants/tenants.service';
import { AliasesRepository } from './aliases.repository';
import {
  ALL_RECORD_INDEXES,
  Collection,
  CollectionChanges,
  NewCollection,
  NewVectorField,
  VectorField,
} from './collection.model';
import { CollectionsRepository, type RowLock } from './collections.repository';
import { RecordTableRepository, recordTableName, sameColumns } from './record-table.repository';
import { RecallSamplesRepository } from './recall-samples.repository';
import { SearchTuningRepository } from './search-tuning.repository';
import { MAX_DIMENSION, vectorColumn, withBuildDefaults } from './vector-index';
import { INDEXING_OPTIONS, type IndexingOptions } from '../indexing/indexing-options';
import type { Scope } from '../scope';
import { TextFieldsRepository } from '../text/text-fields.repository';
import { checkAnalyzer, type NewTextField, type TextAnalyzer, type TextField } from '../text/text-field';

/**
 * How long a replica trusts a catalog row it has read, for record calls. Within that time another
 * replica's rename or metadata change may not be seen yet; a deleted collection is (its table is
 * gone, and RecordsService reports the collection as not found).
 */
export const CATALOG_CACHE_TTL_MS = 1000;
const CATALOG_CACHE_MAX = 10_000;

/** Record tables dropped per transaction: each holds about eight locks (table, indexes, sequence, TOAST) until commit. */
const DROP_BATCH = 50;

@Injectable()
export class CollectionsService {
  private readonly byId = new Map<string, { collection: Collection; at: number }>();
  private readonly byName = new Map<string, { id: string; at: number }>();

  constructor(
    private readonly db: Database,
    private readonly tenants: TenantsService,
    private readonly tenantsRepository: TenantsRepository,
    private readonly repository: CollectionsRepository,
    private readonly tables: RecordTableRepository,
    private readonly tuning: SearchTuningRepository,
    private readonly samples: RecallSamplesRepository,
    private readonly aliases: AliasesRepository,
    private readonly textFields: TextFieldsRepository,
    @Inject(INDEXING_OPTIONS) private readonly indexing: IndexingOptions,
  ) {}

  /** Called with a collection's id once a change of its index build settings has committed. */
  private readonly buildSettingsListeners: ((collectionId: string) => void)[] = [];

  /** The index builder looks at such a collection at its next sweep, as at a written one. */
  onBuildSettingsChange(listener: (collectionId: string) => void): void {
    this.buildSettingsListeners.push(listener);
  }

  /** Refuses a name an alias of the database holds: one of the two would hide the other. */
  private async claimName(tx: Queryable, databaseId: string, name: string): Promise<void> {
    if (await this.aliases.holdsName(tx, databaseId, name)) throw new AlreadyExistsError('alias', name);
  }

  /**
   * Creates the collection and its record table in one transaction. With getOrCreate, an existing
   * collection of that name is returned unchanged (its settings win over the request's).
   */
  async create(scope: Scope, spec: NewCollection, getOrCreate: boolean): Promise<Collection> {
    return this.db.transaction((tx) => this.createIn(tx, scope, spec, getOrCreate));
  }

  /** As create, in the caller's transaction (a restore fills the new table in the same one). */
  async createIn(tx: Queryable, scope: Scope, given: NewCollection, getOrCreate: boolean): Promise<Collection> {
    const spec = {
      ...given,
      index: withBuildDefaults(given.index, this.indexing.hnsw),
      vectors: given.vectors?.map((v) => ({ ...v, index: withBuildDefaults(v.index, this.indexing.hnsw) })),
    };
    const database = await this.tenants.findDatabase(scope.tenant, scope.database, tx);
    if (!database) throw new NotFoundError('database', scope.database);
    await this.claimName(tx, database.id, spec.name);
    const id = randomUUID();
    const table = recordTableName(id);
    if (await this.repository.insert(tx, id, database.id, spec, table)) {
      await this.tables.create(tx, table, spec.recordIndexes ?? ALL_RECORD_INDEXES);
      if (spec.dimension) {
        if (spec.dimension > MAX_DIMENSION)
          throw new InvalidArgumentError(`Dimension must be at most ${MAX_DIMENSION}, got ${spec.dimension}`);
        await this.repository.setDimension(tx, id, spec.dimension);
        await this.tables.setDimension(tx, table, spec.dimension);
      }
      if (spec.vectors?.length) {
        checkVectorFields(spec.vectors);
        await this.tables.addVectorColumns(tx, table, await this.repository.insertVectors(tx, id, spec.vectors));
      }
      if (spec.textFields?.length) {
        spec.textFields.forEach((f) => checkAnalyzer(f.analyzer));
        const placed = await this.textFields.insert(tx, id, spec.textFields);
        await this.textFields.addColumns(tx, table, id, placed, placed);
      }
      return (await this.repository.findById(tx, id))!;
    }
    // The name is taken: by a committed row, or by a racing insert that has now committed.
    const existing = await this.repository.findByName(tx, database.id, spec.name);
    if (!existing) throw new AlreadyExistsError('collection', spec.name);
    if (!getOrCreate) throw new AlreadyExistsError('collection', spec.name);
    return existing;
  }

  async getByName(
    scope: Scope,
    name: string,
    db: Queryable = this.db,
    lock: RowLock | false = false,
  ): Promise<Collection> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database, db);
    const found = database && (await this.repository.findByName(db, database.id, name, lock));
    if (!found) throw new NotFoundError('collection', name, 'name');
    return found;
  }

  /** A collection by id, which must belong to the scope's database (ids are not capabilities). */
  async getById(scope: Scope, id: string, db: Queryable = this.db, lock: RowLock | false = false): Promise<Collection> {
    assertScopeAllowed(scope.tenant, scope.database);
    const found = await this.repository.findById(db, id, lock);
    if (!found || found.tenant !== scope.tenant || found.database !== scope.database)
      throw new NotFoundError('collection', id, 'id');
    return found;
  }

  /**
   * getById for record calls, from the short-lived cache: most calls then pay no catalog round
   * trip. Not for changes to the catalog itself, which read the row in their own transaction.
   */
  async getCached(scope: Scope, id: string): Promise<Collection> {
    assertScopeAllowed(scope.tenant, scope.database);
    const hit = this.byId.get(id);
    // A collection without a dimension is about to get one from its first write, on any replica:
    // until it has, every call reads the row afresh (a search would otherwise find nothing).
    let found =
      hit && Date.now() - hit.at < CATALOG_CACHE_TTL_MS && hit.collection.dimension !== null
        ? hit.collection
        : undefined;
    if (!found) {
      // A lookup by key: planned once where that saves planning (the embedded backend).
      found = await this.repository.findById(this.db.queriesPlannedOnce, id);
      if (found) this.remember(found);
    }
    if (!found || found.tenant !== scope.tenant || found.database !== scope.database)
      throw new NotFoundError('collection', id, 'id');
    return found;
  }

  /** getByName for record calls (Pinecone's and Vectorizer's data planes name the collection). */
  async getByNameCached(scope: Scope, name: string): Promise<Collection> {
    const key = `${scope.tenant}\0${scope.database}\0${name}`;
    const hit = this.byName.get(key);
    if (hit && Date.now() - hit.at < CATALOG_CACHE_TTL_MS) {
      const cached = this.byId.get(hit.id);
      const fresh = cached && Date.now() - cached.at < CATALOG_CACHE_TTL_MS;
      if (fresh && cached.collection.name === name && cached.collection.dimension !== null) return cached.collection;
    }
    const found = await this.getByName(scope, name);
    this.remember(found);
    this.byName.set(key, { id: found.id, at: Date.now() });
    return found;
  }

  /**
   * A collection by name for a read of its records, with the target of its namespace alias `alias`
   * (null: `alias` is no alias, or is null), in one statement (Pinecone's data plane: a search,
   * query, fetch or list). The name and the alias are looked up each time, so a deleted or
   * recreated collection, or an alias created, repointed or deleted, is seen at once on every
   * replica. The rest of the row comes from the cache while its catalog version is still the one
   * read: a change of the shape (dimension, named vectors, text fields, configuration) is seen at
   * once too; counts, index states and metadata within CATALOG_CACHE_TTL_MS, as getCached's.
   */
  async getByNameForRead(
    scope: Scope,
    name: string,
    alias: string | null,
  ): Promise<{ collection: Collection; aliasTarget: string | null }> {
    assertScopeAllowed(scope.tenant, scope.database);
    const key = `${scope.tenant}\0${scope.database}\0${name}`;
    const now = Date.now();
    const id = this.byName.get(key)?.id;
    const hit = id === undefined ? undefined : this.byId.get(id);
    const cached = hit && now - hit.at < CATALOG_CACHE_TTL_MS && hit.collection.name === name ? hit : undefined;
    const read = (known: boolean) =>
      this.repository.findForRead(this.db.queriesPlannedOnce, scope.tenant, scope.database, name, alias, known);
    let found = await read(cached !== undefined);
    if (found && cached && found.id === cached.collection.id && found.version === cached.collection.catalogVersion)
      return { collection: cached.collection, aliasTarget: found.aliasTarget };
    // Changed since it was cached (or not cached): the whole row.
    if (found && !found.collection) found = await read(false);
    if (!found?.collection) {
      this.byName.delete(key);
      throw new NotFoundError('collection', name, 'name');
    }
    this.remember(found.collection);
    this.byName.set(key, { id: found.id, at: Date.now() });
    return { collection: found.collection, aliasTarget: found.aliasTarget };
  }

  /** `collection` (read by the caller just now) as getCached checks it: it must belong to the scope's database. */
  inScope(scope: Scope, collection: Collection): Collection {
    assertScopeAllowed(scope.tenant, scope.database);
    if (collection.tenant !== scope.tenant || collection.database !== scope.database)
      throw new NotFoundError('collection', collection.id, 'id');
    return collection;
  }

  /**
   * The collection as a write in `tx` must see it, from `cached` (read up to a second ago, perhaps
   * before another replica changed it). Its catalog row is held until `tx` ends (`share`, or
   * `change` for a write that may fix the dimension), so no change of it commits while the write
   * runs; and when its catalog version is no longer the cached row's, the row is read afresh, so
   * the write is planned on the named vectors and dimension it will meet.
   */
  async hold(tx: Queryable, cached: Collection, lock: RowLock): Promise<Collection> {
    const version = await this.repository.lockVersion(tx, cached.id, lock);
    if (version === undefined) throw new NotFoundError('collection', cached.id, 'id');
    if (version === cached.catalogVersion) return cached;
    this.forget(cached.id);
    const fresh = await this.repository.findById(tx, cached.id);
    if (!fresh) throw new NotFoundError('collection', cached.id, 'id');
    return fresh;
  }

  /** Forgets a collection (changed or deleted here), or everything (databases dropped, reset). */
  forget(id?: string): void {
    if (id === undefined) this.byId.clear();
    else this.byId.delete(id);
    this.byName.clear();
  }

  private remember(collection: Collection): void {
    if (this.byId.size >= CATALOG_CACHE_MAX) {
      const now = Date.now();
      for (const [id, entry] of this.byId) if (now - entry.at >= CATALOG_CACHE_TTL_MS) this.byId.delete(id);
      for (const [key, entry] of this.byName) if (now - entry.at >= CATALOG_CACHE_TTL_MS) this.byName.delete(key);
      if (this.byId.size >= CATALOG_CACHE_MAX) this.byId.clear();
    }
    this.byId.set(collection.id, { collection, at: Date.now() });
  }

  async list(scope: Scope, limit: number | null, offset: number): Promise<Collection[]> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database);
    return database ? this.repository.list(this.db, database.id, limit, offset) : [];
  }

  async count(scope: Scope): Promise<number> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database);
    return database ? this.repository.count(this.db, database.id) : 0;
  }

  /**
   * Runs a change of the collection in one transaction, its catalog row locked for it, and forgets
   * the cached row before and after, so that this replica reads the change at once.
   */
  private async changing<T>(scope: Scope, id: string, work: (tx: Queryable, collection: Collection) => Promise<T>) {
    this.forget(id);
    try {
      return await this.db.transaction(async (tx) => work(tx, await this.getById(scope, id, tx, 'change')));
    } finally {
      this.forget(id);
    }
  }

  async modify(scope: Scope, id: string, changes: CollectionChanges): Promise<void> {
    let thresholdChanged = false;
    await this.changing(scope, id, async (tx, collection) => {
      thresholdChanged =
        changes.index !== undefined &&
        (changes.index.buildFromRows !== collection.index.buildFromRows ||
          !!changes.index.noBuild !== !!collection.index.noBuild);
      if (changes.name !== undefined && changes.name !== collection.name)
        await this.claimName(tx, collection.databaseId, changes.name);
      if (!(await this.repository.update(tx, collection, changes)))
        throw new AlreadyExistsError('collection', changes.name ?? collection.name);
      const index = changes.index;
      const rebuild =
        index &&
        collection.dimension &&
        (index.m !== collection.index.m || index.efConstruction !== collection.index.efConstruction);
      if (rebuild) {
        await this.tables.rebuildIndex(tx, collection.tableName, collection.dimension!, collection.metric, index!);
        // Measured on the old graph: the tuner measures the new one.
        await this.tuning.forget(tx, collection.id);
      }
      for (const [name, settings] of Object.entries(changes.vectorIndexes ?? {})) {
        const field = collection.vectors.find((f) => f.name === name && f.kind === 'dense');
        if (!field) throw new UnknownVectorError(name, 'dense');
        await this.repository.setVectorIndex(tx, collection.id, field.position, settings);
        if (settings.m !== field.index.m || settings.efConstruction !== field.index.efConstruction) {
          const column = vectorColumn(field.position);
          // A multivector's token index is built again by the index builder, with the new settings.
          if (field.multivector) await this.tables.dropTokenIndex(tx, collection.tableName, field.position);
          else
            await this.tables.rebuildIndex(tx, collection.tableName, field.dimension!, field.metric, settings, column);
          await this.tuning.forget(tx, collection.id, field.position);
        }
      }
    });
    if (thresholdChanged) for (const listener of this.buildSettingsListeners) listener(id);
  }

  /**
   * Declares a named vector on an existing collection (its column comes empty; the index builder
   * indexes it once records hold it), with the protocol's settings `extras` changed in the same
   * transaction. Returns it. The same vector again (kind, size, metric) is no change, as in Qdrant:
   * two replicas may add it at once; another of that name is a VectorExistsError.
   */
  async addVector(
    scope: Scope,
    id: string,
    field: NewVectorField,
    extras: (collection: Collection) => Record<string, unknown>,
  ): Promise<VectorField> {
    return this.changing(scope, id, async (tx, collection) => {
      const existing = collection.vectors.find((f) => f.name === field.name);
      if (existing) {
        const same =
          existing.kind === field.kind &&
          !!existing.multivector === !!field.multivector &&
          (field.kind === 'sparse' || (existing.dimension === field.dimension && existing.metric === field.metric));
        if (same) return existing;
        throw new VectorExistsError(field.name, existing.kind, existing.kind === field.kind);
      }
      checkVectorFields([...collection.vectors, field]);
      const [placed] = await this.repository.insertVectors(tx, collection.id, [
        { ...field, index: withBuildDefaults(field.index, this.indexing.hnsw) },
      ]);
      await this.tables.addVectorColumns(tx, collection.tableName, [placed]).catch((err: unknown) => {
        if (!isOutOfColumns(err)) throw err;
        throw new InvalidArgumentError(
          'The collection has no room for another vector: its record table has had 1,600 columns, those of removed vectors included, which Postgres keeps counting. A copy of it (a fork, or a snapshot recovered) starts with the vectors it has.',
        );
      });
      await this.repository.update(tx, collection, { extras: extras(collection) });
      return placed;
    });
  }

  /**
   * Removes a named vector: its column, its index, its measurement and sampled searches, and the
   * protocol's `extras` changed with it.
   */
  async removeVector(
    scope: Scope,
    id: string,
    name: string,
    extras: (collection: Collection) => Record<string, unknown>,
  ): Promise<void> {
    await this.changing(scope, id, async (tx, collection) => {
      const field = collection.vectors.find((f) => f.name === name);
      if (!field) throw new UnknownVectorError(name);
      await this.repository.deleteVector(tx, collection.id, field.position);
      await this.tuning.forget(tx, collection.id, field.position);
      await this.samples.forget(tx, collection.id, field.position);
      await this.tables.dropVectorColumn(tx, collection.tableName, field.position);
      await this.repository.update(tx, collection, { extras: extras(collection) });
    });
  }

  /**
   * Removes the collection's default dense vector (its records' embedding, which every protocol
   * reads) or its default sparse one from every record, in one transaction with the protocol's
   * `extras`: the values, the HNSW index, its measurement and sampled searches go, and a dense
   * one's dimension is unset (the next write of an embedding fixes it again).
   */
  async clearDefaultVector(
    scope: Scope,
    id: string,
    kind: 'dense' | 'sparse',
    extras: (collection: Collection) => Record<string, unknown>,
  ): Promise<void> {
    await this.changing(scope, id, async (tx, collection) => {
      if (kind === 'sparse') await this.tables.clearSparseEmbedding(tx, collection.tableName);
      else {
        await this.tables.clearEmbedding(tx, collection.tableName);
        await this.repository.setDimension(tx, collection.id, null);
        await this.tuning.forget(tx, collection.id);
        await this.samples.forget(tx, collection.id, 0);
      }
      await this.repository.update(tx, collection, { extras: extras(collection) });
    });
  }

  /**
   * Declares a text field on an existing collection, in place of the one on the same key if any (a
   * Qdrant index re-created with other params): its columns are filled from the records held, in
   * one transaction with the protocol's `extras`. The same analyser again changes only `extras`.
   */
  async addTextField(
    scope: Scope,
    id: string,
    field: NewTextField,
    extras: (collection: Collection) => Record<string, unknown>,
  ): Promise<TextField> {
    checkAnalyzer(field.analyzer);
    return this.changing(scope, id, async (tx, collection) => {
      const existing = collection.textFields.find((f) => samePath(f.path, field.path));
      const left = collection.textFields.filter((f) => f !== existing);
      let placed = existing;
      if (!existing || !isDeepStrictEqual(normalized(existing.analyzer), normalized(field.analyzer))) {
        if (existing) await this.dropTextField(tx, collection, existing, left);
        [placed] = await this.textFields.insert(tx, collection.id, [field]);
        await this.textFields
          .addColumns(tx, collection.tableName, collection.id, [placed], [...left, placed])
          .catch((err: unknown) => {
            if (!isOutOfColumns(err)) throw err;
            throw new InvalidArgumentError(
              'The collection has no room for another text index: its record table has had 1,600 columns, those of removed indexes and vectors included, which Postgres keeps counting.',
            );
          });
      }
      await this.repository.update(tx, collection, { extras: extras(collection) });
      return placed!;
    });
  }

  /** Removes the text field on that key, if there is one, with the protocol's `extras` changed with it. */
  async removeTextField(
    scope: Scope,
    id: string,
    path: string[],
    extras: (collection: Collection) => Record<string, unknown>,
  ): Promise<void> {
    await this.changing(scope, id, async (tx, collection) => {
      const field = collection.textFields.find((f) => samePath(f.path, path));
      if (field)
        await this.dropTextField(
          tx,
          collection,
          field,
          collection.textFields.filter((f) => f !== field),
        );
      await this.repository.update(tx, collection, { extras: extras(collection) });
    });
  }

  private async dropTextField(tx: Queryable, collection: Collection, field: TextField, left: TextField[]) {
    await this.textFields.delete(tx, collection.id, field.position);
    await this.textFields.dropColumns(tx, collection.tableName, collection.id, field, left);
  }

  async deleteByName(scope: Scope, name: string): Promise<void> {
    await this.db.transaction((tx) => this.deleteIn(tx, scope, name));
  }

  /** As deleteByName, in the caller's transaction; with `missingOk`, no collection of that name is no error. */
  async deleteIn(tx: Queryable, scope: Scope, name: string, missingOk = false): Promise<void> {
    let collection: Collection;
    try {
      collection = await this.getByName(scope, name, tx);
    } catch (err) {
      if (missingOk && err instanceof NotFoundError) return;
      throw err;
    }
    await this.repository.delete(tx, collection.id);
    await this.tables.drop(tx, collection.tableName);
    this.forget(collection.id);
  }

  /** A new collection with a copy of every record (Chroma's fork). */
  async fork(scope: Scope, id: string, newName: string): Promise<Collection> {
    return this.db.transaction(async (tx) => {
      const source = await this.getById(scope, id, tx, 'share');
      const forkId = randomUUID();
      const table = recordTableName(forkId);
      const spec: NewCollection = {
        name: newName,
        metric: source.metric,
        index: source.index,
        metadata: source.metadata,
        extras: source.extras,
        schema: source.schema,
        recordIndexes: source.recordIndexes,
        vectors: source.vectors,
      };
      await this.claimName(tx, source.databaseId, newName);
      if (!(await this.repository.insert(tx, forkId, source.databaseId, spec, table, source.id)))
        throw new AlreadyExistsError('collection', newName);
      await this.tables.create(tx, table, source.recordIndexes);
      if (source.dimension) {
        await this.repository.setDimension(tx, forkId, source.dimension);
        await this.tables.setDimension(tx, table, source.dimension);
      }
      // At the source's positions: each column is copied into the column of the same name.
      const fields = await this.repository.placeVectors(tx, forkId, source.vectors);
      await this.tables.addVectorColumns(tx, table, fields);
      // Text fields before the copy: the table's trigger analyses each copied record's words.
      await this.textFields.place(tx, forkId, source.textFields);
      await this.textFields.addColumns(tx, table, forkId, source.textFields, source.textFields);
      await this.tables.copyRows(tx, source.tableName, table, forkId, sameColumns(fields));
      return (await this.repository.findById(tx, forkId))!;
    });
  }

  async forkCount(scope: Scope, id: string): Promise<number> {
    const collection = await this.getById(scope, id);
    return this.repository.countForks(this.db, collection.id);
  }

  /**
   * Deletes a database with its collections, at once from the catalog, and then their record
   * tables a batch at a time (dropQueuedTables).
   */
  async deleteDatabase(scope: Scope): Promise<void> {
    await this.db.transaction(async (tx) => {
      const database = await this.tenants.getDatabase(scope.tenant, scope.database, tx);
      await this.repository.queueTablesToDrop(tx, database.id);
      await this.tenantsRepository.deleteDatabase(tx, database.id);
    });
    this.forget();
    await this.dropQueuedTables();
  }

  /** Drops every collection, database and tenant, then recreates the defaults. */
  async reset(): Promise<void> {
    assertNoPrincipal('Reset');
    await this.db.transaction(async (tx) => {
      await this.repository.queueTablesToDrop(tx);
      await this.tenantsRepository.resetCatalog(tx);
    });
    this.forget();
    await this.dropQueuedTables();
  }

  /**
   * Drops the record tables queued by deletes, DROP_BATCH per transaction: each drop locks a table
   * and its indexes until commit, and Postgres's lock table holds a few thousand locks in all.
   * Safe to interrupt and to run on several replicas at once (each takes tables the others have not).
   */
  async dropQueuedTables(): Promise<void> {
    for (;;) {
      const dropped = await this.db.transaction(async (tx) => {
        const tables = await this.repository.takeTablesToDrop(tx, DROP_BATCH);
        for (const table of tables) await this.tables.drop(tx, table);
        await this.repository.forgetDroppedTables(tx, tables);
        return tables.length;
      });
      if (dropped < DROP_BATCH) return;
    }
  }

  /**
   * Checks a write's vectors against the collection's dimension. The first write fixes it: the
   * catalog row is locked, so of two replicas racing their first add, one types the column and
   * builds the index, and the other then sees the dimension and is checked against it.
   */
  async ensureDimension(tx: Queryable, collection: Collection, dimensions: number[]): Promise<Collection> {
    if (dimensions.length === 0) return collection;
    const first = dimensions[0];
    if (dimensions.some((d) => d !== first))
      throw new InvalidArgumentError('Inconsistent dimensions in provided embeddings');
    if (collection.dimension === null) {
      if (first < 1 || first > MAX_DIMENSION)
        throw new InvalidArgumentError(`Embedding dimension must be between 1 and ${MAX_DIMENSION}, got ${first}`);
      const locked = (await this.repository.findById(tx, collection.id, 'change'))!;
      if (locked.dimension === null) {
        await this.repository.setDimension(tx, collection.id, first);
        await this.tables.setDimension(tx, collection.tableName, first);
        this.forget(collection.id); // the dimension is fixed once this commits; until then others must not see it
        return { ...locked, dimension: first };
      }
      collection = locked;
    }
    const wrong = dimensions.find((d) => d !== collection.dimension);
    if (wrong !== undefined) throw new DimensionMismatchError(collection.dimension!, wrong);
    return collection;
  }
}

/**
 * program_limit_exceeded: here, a table past Postgres' 1,600 columns, which counts dropped ones for
 * good: every named vector ever added to a collection took one.
 */
function isOutOfColumns(err: unknown): boolean {
  return (err as { code?: unknown })?.code === '54011';
}

/** An analyser as the catalog keeps it (JSON: no undefined fields), to compare one read back with one given. */
function normalized(analyzer: TextAnalyzer): unknown {
  return JSON.parse(JSON.stringify(analyzer));
}

function samePath(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((p, i) => p === b[i]);
}

/** Named vectors' names are unique, and a dense one's dimension is one pgvector stores. */
function checkVectorFields(fields: NewVectorField[]): void {
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) throw new InvalidArgumentError(`Vector name ${JSON.stringify(f.name)} is given twice`);
    names.add(f.name);
    if (f.kind === 'dense' && !(Number.isInteger(f.dimension) && f.dimension! >= 1 && f.dimension! <= MAX_DIMENSION))
      throw new InvalidArgumentError(`Dimension must be 1 to ${MAX_DIMENSION}, got ${f.dimension}`);
  }
}
