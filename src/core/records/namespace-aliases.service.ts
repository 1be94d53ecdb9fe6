import { Injectable } from '@nestjs/common';
import { Collection } from '../collections/collection.model';
import { CollectionsService } from '../collections/collections.service';
import { LimitReachedError, NamespaceAliasError, NotFoundError } from '../errors';
import { Database, Queryable } from '../../database/database';
import { Scope } from '../scope';
import type { NamespaceAlias, NamespaceAliasQuery } from './namespace-alias.model';
import { NamespaceAliasesRepository } from './namespace-aliases.repository';
import { NamespacesRepository } from './namespaces.repository';

/** How many aliases one collection holds at most: far more than a blue/green switch needs, and a bound on the table. */
export const MAX_NAMESPACE_ALIASES = 1000;

/**
 * Namespace aliases: another name for a namespace of a collection, which reads resolve to its
 * target and writes never take. Nothing is cached: a read asks the table each time, in the
 * statement that finds the collection by name (CollectionsService.getByNameForRead), so a repoint
 * is seen by every replica's next read. A change holds the collection's
 * catalog row (FOR NO KEY UPDATE) while it checks the names, and a namespace is only created or
 * deleted under that row held FOR SHARE, so the two cannot interleave: a name is a namespace or an
 * alias, and an alias's target exists for as long as the alias does.
 */
@Injectable()
export class NamespaceAliasesService {
  constructor(
    private readonly db: Database,
    private readonly collections: CollectionsService,
    private readonly repository: NamespaceAliasesRepository,
    private readonly namespaces: NamespacesRepository,
  ) {}

  /** The target of the alias `name`, or null when `name` is not an alias (a write refused through one). */
  async aliasTarget(collectionId: string, name: string): Promise<string | null> {
    if (name === '') return null;
    return this.repository.target(this.db, collectionId, name);
  }

  /** One page of aliases by name, and how many match the query's prefix and target in all. */
  async list(
    scope: Scope,
    collectionId: string,
    query: NamespaceAliasQuery,
  ): Promise<{ page: NamespaceAlias[]; total: number }> {
    return this.db.transaction(async (tx) => {
      const collection = await this.collections.getById(scope, collectionId, tx);
      const page = await this.repository.list(tx, collection.id, query);
      return { page, total: await this.repository.count(tx, collection.id, query.prefix, query.target) };
    });
  }

  async get(scope: Scope, collectionId: string, name: string): Promise<NamespaceAlias> {
    const collection = await this.collections.getById(scope, collectionId);
    const found = await this.repository.get(this.db, collection.id, name);
    if (!found) throw new NotFoundError('namespace alias', name);
    return found;
  }

  async create(scope: Scope, collectionId: string, name: string, target: string): Promise<NamespaceAlias> {
    return this.changing(scope, collectionId, async (tx, collection) => {
      const existing = await this.repository.get(tx, collection.id, name);
      if (existing) throw new NamespaceAliasError('alias-exists', name, existing.target);
      if (name === '' || (await this.namespaces.filterable(tx, collection.id, name)) !== undefined)
        throw new NamespaceAliasError('name-is-namespace', name);
      await this.checkTarget(tx, collection, target);
      if ((await this.repository.count(tx, collection.id)) >= MAX_NAMESPACE_ALIASES)
        throw new LimitReachedError('namespace alias', MAX_NAMESPACE_ALIASES, collection.name);
      return this.repository.insert(tx, collection.id, name, target);
    });
  }

  /** Points an alias at another namespace (or the same one again: its updated_at still advances). */
  async repoint(scope: Scope, collectionId: string, name: string, target: string): Promise<NamespaceAlias> {
    return this.changing(scope, collectionId, async (tx, collection) => {
      if (!(await this.repository.get(tx, collection.id, name))) throw new NotFoundError('namespace alias', name);
      await this.checkTarget(tx, collection, target);
      return (await this.repository.repoint(tx, collection.id, name, target))!;
    });
  }

  async delete(scope: Scope, collectionId: string, name: string): Promise<void> {
    await this.changing(scope, collectionId, async (tx, collection) => {
      if (!(await this.repository.delete(tx, collection.id, name))) throw new NotFoundError('namespace alias', name);
    });
  }

  /** A target is a namespace that exists (the default one always does), never an alias. */
  private async checkTarget(tx: Queryable, collection: Collection, target: string): Promise<void> {
    if (target === '') return;
    if ((await this.repository.target(tx, collection.id, target)) !== null)
      throw new NamespaceAliasError('target-is-alias', target);
    if ((await this.namespaces.filterable(tx, collection.id, target)) === undefined)
      throw new NamespaceAliasError('target-missing', target);
  }

  /** A change in one transaction, with the collection's catalog row held against namespace creates and deletes. */
  private changing<T>(scope: Scope, id: string, work: (tx: Queryable, collection: Collection) => Promise<T>) {
    return this.db.transaction(async (tx) => work(tx, await this.collections.getById(scope, id, tx, 'change')));
  }
}
