import { Inject, Injectable, Optional } from '@nestjs/common';
import { Collection } from '../collections/collection.model';
import { CollectionsService } from '../collections/collections.service';
import { AlreadyExistsError, NamespaceAliasError, NotFoundError } from '../errors';
import { ALL, FilterNode } from '../filters/filter-ast';
import { Database } from '../../database/database';
import { RECORD_METRICS, type RecordMetrics } from './record-metrics';
import { NamespaceAliasesRepository } from './namespace-aliases.repository';
import { NamespacesRepository } from './namespaces.repository';
import { RangeKeyTracker } from './range-key-tracker';
import { RecordsRepository } from './records.repository';
import { Scope } from '../scope';

export interface NamespaceCount {
  name: string;
  records: number;
  /** The metadata keys it indexes for filters; null (or absent) for every key. */
  filterable?: string[] | null;
  /** About how many bytes it takes: its share of the record table and its indexes, by record count. */
  bytes?: number;
}

/** A collection's namespaces: registered by a first write or explicitly, each with its record count. */
@Injectable()
export class NamespacesService {
  constructor(
    private readonly db: Database,
    private readonly collections: CollectionsService,
    private readonly repository: NamespacesRepository,
    private readonly aliases: NamespaceAliasesRepository,
    private readonly records: RecordsRepository,
    private readonly rangeKeys: RangeKeyTracker,
    @Optional() @Inject(RECORD_METRICS) private readonly recordMetrics?: RecordMetrics,
  ) {}

  /** Every namespace with records or registered, with counts; and the collection itself. */
  async stats(
    scope: Scope,
    collectionId: string,
    filter: FilterNode = ALL,
  ): Promise<{ collection: Collection; namespaces: NamespaceCount[] }> {
    return this.db.transaction(async (tx) => {
      const collection = await this.collections.getById(scope, collectionId, tx);
      const counts = await this.records.countByNamespace(tx, collection, filter);
      for (const name of await this.repository.list(tx, collection.id, '', null, null))
        if (!counts.has(name)) counts.set(name, 0);
      const namespaces = [...counts]
        .map(([name, records]) => ({ name, records }))
        .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
      return { collection, namespaces };
    });
  }

  /** One page of namespaces in byte order, with record counts, and how many match the prefix in all. */
  async list(
    scope: Scope,
    collectionId: string,
    prefix: string,
    after: string | null,
    limit: number,
  ): Promise<{ page: NamespaceCount[]; total: number }> {
    return this.db.transaction(async (tx) => {
      const collection = await this.collections.getById(scope, collectionId, tx);
      const names = await this.repository.list(tx, collection.id, prefix, after, limit);
      const filterable = await this.repository.withFilterable(tx, collection.id);
      const perRecord = await this.repository.bytesPerRecord(tx, collection.id, collection.tableName);
      const page: NamespaceCount[] = [];
      for (const name of names) {
        const records = await this.records.count(tx, collection, name);
        page.push({ name, records, filterable: filterable.get(name) ?? null, bytes: Math.round(records * perRecord) });
      }
      return { page, total: await this.repository.count(tx, collection.id, prefix) };
    });
  }

  async describe(scope: Scope, collectionId: string, name: string): Promise<NamespaceCount> {
    return this.db.transaction(async (tx) => {
      const collection = await this.collections.getById(scope, collectionId, tx);
      const filterable = await this.repository.filterable(tx, collection.id, name);
      if (filterable === undefined) {
        if ((await this.aliases.target(tx, collection.id, name)) !== null)
          throw new NamespaceAliasError('operation-on-alias', name);
        throw new NotFoundError('namespace', name);
      }
      const records = await this.records.count(tx, collection, name);
      const perRecord = await this.repository.bytesPerRecord(tx, collection.id, collection.tableName);
      return { name, records, filterable, bytes: Math.round(records * perRecord) };
    });
  }

  /**
   * Registers an empty namespace. With `filterable`, filters see only those metadata keys in it
   * (the protocol decides what a filter on another key means), and each gets its range index at
   * once instead of after its first range filter.
   */
  async create(
    scope: Scope,
    collectionId: string,
    name: string,
    filterable: string[] | null = null,
  ): Promise<NamespaceCount> {
    const collection = await this.db.transaction(async (tx) => {
      // Held (FOR SHARE) so that no alias takes the name meanwhile (NamespaceAliasesService holds it to change).
      const collection = await this.collections.getById(scope, collectionId, tx, 'share');
      const registered = await this.repository.register(tx, collection.id, name, filterable);
      if (registered === 'alias') throw new NamespaceAliasError('name-is-alias', name);
      if (registered === 'registered') throw new AlreadyExistsError('namespace', name);
      return collection;
    });
    if (filterable) this.rangeKeys.noteKeys(collection, filterable);
    return { name, records: 0, filterable };
  }

  /**
   * The metadata keys filters see in a namespace: its own list, else `fallback` (the collection's),
   * null for every key. An unregistered namespace (no record yet) has no list of its own.
   */
  async filterableKeys(collectionId: string, name: string, fallback: string[] | null): Promise<string[] | null> {
    return (await this.repository.filterable(this.db.reads, collectionId, name)) ?? fallback;
  }

  /** Deletes a namespace with all its records. */
  async delete(scope: Scope, collectionId: string, name: string): Promise<void> {
    const deleted = await this.db.transaction(async (tx) => {
      // Held (FOR SHARE) so that no alias is pointed at it meanwhile.
      const collection = await this.collections.getById(scope, collectionId, tx, 'share');
      if (await this.aliases.targeted(tx, collection.id, name))
        throw new NamespaceAliasError('namespace-targeted', name);
      if (!(await this.repository.delete(tx, collection.id, name))) {
        if ((await this.aliases.target(tx, collection.id, name)) !== null)
          throw new NamespaceAliasError('operation-on-alias', name);
        throw new NotFoundError('namespace', name);
      }
      return this.records.delete(tx, collection, name, ALL, null);
    });
    this.collections.forget(collectionId); // its `namespaced` may have changed
    this.recordMetrics?.deleted(deleted);
  }
}
