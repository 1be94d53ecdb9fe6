import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../errors';
import { currentPrincipal } from '../auth/request-context';
import { assertScopeAllowed } from '../auth/scope-access';
import { Database, Queryable } from '../../database/database';
import { DatabaseRow } from './tenant.model';
import { TenantsRepository } from './tenants.repository';

/** Names are unique keys; a btree entry holds ~2.7 kB, so each name stays well under that. */
export const MAX_NAME_BYTES = 512;

function checkName(kind: string, name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES)
    throw new InvalidArgumentError(
      `The ${kind} name is too long: ${bytes} bytes, at most ${MAX_NAME_BYTES} are allowed`,
    );
}

@Injectable()
export class TenantsService {
  constructor(
    private readonly db: Database,
    private readonly repository: TenantsRepository,
  ) {}

  async createTenant(name: string): Promise<void> {
    checkName('tenant', name);
    assertScopeAllowed(name);
    if (!(await this.repository.insertTenant(this.db, name))) throw new AlreadyExistsError('tenant', name);
  }

  async getTenant(name: string): Promise<{ name: string }> {
    assertScopeAllowed(name);
    if (!(await this.repository.tenantExists(this.db, name))) throw new NotFoundError('tenant', name);
    return { name };
  }

  async createDatabase(tenant: string, name: string): Promise<void> {
    checkName('database', name);
    assertScopeAllowed(tenant, name);
    await this.db.transaction(async (tx) => {
      if (!(await this.repository.tenantExists(tx, tenant))) throw new NotFoundError('tenant', tenant);
      if (!(await this.repository.insertDatabase(tx, randomUUID(), tenant, name)))
        throw new AlreadyExistsError('database', name);
    });
  }

  async getDatabase(tenant: string, name: string, db: Queryable = this.db): Promise<DatabaseRow> {
    assertScopeAllowed(tenant, name);
    const row = await this.repository.findDatabase(db, tenant, name);
    if (!row) throw new NotFoundError('database', name);
    return row;
  }

  /** Null when the database does not exist (listing an unknown database is empty, not an error). */
  findDatabase(tenant: string, name: string, db: Queryable = this.db): Promise<DatabaseRow | undefined> {
    assertScopeAllowed(tenant, name);
    return this.repository.findDatabase(db, tenant, name);
  }

  /** A key bound to some databases lists only those. */
  listDatabases(tenant: string, limit: number | null, offset: number): Promise<DatabaseRow[]> {
    assertScopeAllowed(tenant);
    return this.repository.listDatabases(this.db, tenant, limit, offset, currentPrincipal()?.databases ?? null);
  }
}
