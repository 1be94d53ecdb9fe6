import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import { DatabaseRow } from './tenant.model';

@Injectable()
export class TenantsRepository {
  /** Returns false when the tenant already exists. */
  async insertTenant(db: Queryable, name: string): Promise<boolean> {
    const { rowCount } = await db.query('INSERT INTO vecgate_tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [
      name,
    ]);
    return rowCount === 1;
  }

  async tenantExists(db: Queryable, name: string): Promise<boolean> {
    const { rowCount } = await db.query('SELECT 1 FROM vecgate_tenants WHERE name = $1', [name]);
    return rowCount === 1;
  }

  async insertDatabase(db: Queryable, id: string, tenant: string, name: string): Promise<boolean> {
    const { rowCount } = await db.query(
      'INSERT INTO vecgate_databases (id, tenant, name) VALUES ($1, $2, $3) ON CONFLICT (tenant, name) DO NOTHING',
      [id, tenant, name],
    );
    return rowCount === 1;
  }

  async findDatabase(db: Queryable, tenant: string, name: string): Promise<DatabaseRow | undefined> {
    const { rows } = await db.query<DatabaseRow>(
      'SELECT id, name, tenant FROM vecgate_databases WHERE tenant = $1 AND name = $2',
      [tenant, name],
    );
    return rows[0];
  }

  /** `only`: the names a caller may see (null: all); applied before paging, so pages count only those. */
  async listDatabases(
    db: Queryable,
    tenant: string,
    limit: number | null,
    offset: number,
    only: string[] | null = null,
  ): Promise<DatabaseRow[]> {
    const { rows } = await db.query<DatabaseRow>(
      `SELECT id, name, tenant FROM vecgate_databases WHERE tenant = $1 AND ($4::text[] IS NULL OR name = ANY($4::text[]))
       ORDER BY created_at, name LIMIT $2 OFFSET $3`,
      [tenant, limit, offset, only],
    );
    return rows;
  }

  async deleteDatabase(db: Queryable, id: string): Promise<void> {
    await db.query('DELETE FROM vecgate_databases WHERE id = $1', [id]);
  }

  /** Empties the catalog back to its first state: the default tenant and database only. */
  async resetCatalog(db: Queryable): Promise<void> {
    await db.query('DELETE FROM vecgate_tenants');
    await db.query(`INSERT INTO vecgate_tenants (name) VALUES ('default_tenant')`);
    await db.query(
      `INSERT INTO vecgate_databases (id, tenant, name) VALUES ('00000000-0000-4000-8000-000000000000', 'default_tenant', 'default_database')`,
    );
  }
}
