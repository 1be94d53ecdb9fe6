import { Injectable } from '@nestjs/common';
import { Database, type Queryable } from '../../database/database';
import { AlreadyExistsError, NotFoundError } from '../errors';
import type { Scope } from '../scope';
import { TenantsService } from '../tenants/tenants.service';
import { AliasesRepository, type Alias } from './aliases.repository';
import type { Collection } from './collection.model';
import { CollectionsRepository } from './collections.repository';

/** One change to a database's aliases. */
export type AliasAction =
  | { kind: 'create'; alias: string; collection: string }
  | { kind: 'delete'; alias: string }
  | { kind: 'rename'; from: string; to: string };

/**
 * Aliases: other names for collections of a database (Qdrant's), changed several at once in one
 * transaction, so that a client switching an alias to a rebuilt collection never sees it missing.
 * An alias never shadows a collection's own name.
 */
@Injectable()
export class AliasesService {
  constructor(
    private readonly db: Database,
    private readonly tenants: TenantsService,
    private readonly collections: CollectionsRepository,
    private readonly repository: AliasesRepository,
  ) {}

  private async databaseId(scope: Scope, db: Queryable = this.db): Promise<string> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database, db);
    if (!database) throw new NotFoundError('database', scope.database);
    return database.id;
  }

  /** The collection an alias names, or undefined. */
  async resolve(scope: Scope, alias: string): Promise<Collection | undefined> {
    const database = await this.tenants.findDatabase(scope.tenant, scope.database);
    if (!database) return undefined;
    const id = await this.repository.find(this.db, database.id, alias);
    return id === undefined ? undefined : this.collections.findById(this.db, id);
  }

  /** Every alias of the database, or of the collection named. */
  async list(scope: Scope, collection?: string): Promise<Alias[]> {
    const databaseId = await this.databaseId(scope);
    if (collection === undefined) return this.repository.list(this.db, databaseId);
    const found = await this.collections.findByName(this.db, databaseId, collection);
    if (!found) throw new NotFoundError('collection', collection, 'name');
    return this.repository.list(this.db, databaseId, found.id);
  }

  /** Applies the actions in order, all or none. */
  async apply(scope: Scope, actions: AliasAction[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      const databaseId = await this.databaseId(scope, tx);
      // Aliases of one database change one transaction at a time (the database row is locked).
      await tx.query('SELECT 1 FROM vecgate_databases WHERE id = $1 FOR UPDATE', [databaseId]);
      for (const action of actions) {
        if (action.kind === 'create') {
          const target = await this.collections.findByName(tx, databaseId, action.collection);
          if (!target) throw new NotFoundError('collection', action.collection, 'name');
          await this.claim(tx, databaseId, action.alias, target.id);
        } else if (action.kind === 'delete') {
          if (!(await this.repository.delete(tx, databaseId, action.alias)))
            throw new NotFoundError('alias', action.alias, 'name');
        } else {
          const id = await this.repository.find(tx, databaseId, action.from);
          if (id === undefined) throw new NotFoundError('alias', action.from, 'name');
          await this.repository.delete(tx, databaseId, action.from);
          await this.claim(tx, databaseId, action.to, id);
        }
      }
    });
  }

  private async claim(tx: Queryable, databaseId: string, alias: string, collectionId: string): Promise<void> {
    if (await this.collections.findByName(tx, databaseId, alias)) throw new AlreadyExistsError('collection', alias);
    if (!(await this.repository.insert(tx, databaseId, alias, collectionId)))
      throw new AlreadyExistsError('alias', alias);
  }
}
