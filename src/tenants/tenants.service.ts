import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AlreadyExistsError, NotFoundError } from '../common/errors';
import { Database, Queryable } from '../database/database';
import { DatabaseRow } from './tenant.model';
import { TenantsRepository } from './tenants.repository';

@Injectable()
export class TenantsService {
  constructor(
    private readonly db: Database,
    private readonly repository: TenantsRepository,
  ) {}

  async createTenant(name: string): Promise<void> {
    if (!(await this.repository.insertTenant(this.db, name))) throw new AlreadyExistsError('tenant', name);
  }

  async getTenant(name: string): Promise<{ name: string }> {
    if (!(await this.repository.tenantExists(this.db, name))) throw new NotFoundError('tenant', name);
    return { name };
  }

  async createDatabase(tenant: string, name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      if (!(await this.repository.tenantExists(tx, tenant))) throw new NotFoundError('tenant', tenant);
      if (!(await this.repository.insertDatabase(tx, randomUUID(), tenant, name))) throw new AlreadyExistsError('database', name);
    });
  }

  async getDatabase(tenant: string, name: string, db: Queryable = this.db): Promise<DatabaseRow> {
    const row = await this.repository.findDatabase(db, tenant, name);
    if (!row) throw new NotFoundError('database', name);
    return row;
  }

  /** Null when the database does not exist (listing an unknown database is empty, not an error). */
  findDatabase(tenant: string, name: string, db: Queryable = this.db): Promise<DatabaseRow | undefined> {
    return this.repository.findDatabase(db, tenant, name);
  }

  listDatabases(tenant: string, limit: number | null, offset: number): Promise<DatabaseRow[]> {
    return this.repository.listDatabases(this.db, tenant, limit, offset);
  }
}
