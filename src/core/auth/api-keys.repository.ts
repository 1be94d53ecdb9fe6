import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import { ApiKeyRow, type KeyManager } from './principal';

/** A row of vecgate_api_keys as node-postgres returns it. */
interface ApiKeyRecord {
  id: string;
  tenant: string;
  databases: string[] | null;
  admin: boolean;
  created_at: Date;
  revoked_at: Date | null;
  secret_hash: string;
}

function toRow(r: ApiKeyRecord): ApiKeyRow {
  return {
    id: r.id,
    tenant: r.tenant,
    databases: r.databases,
    admin: r.admin,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

/**
 * The keys a manager reaches ($1 its tenant, $2 its databases): of its tenant, and with databases,
 * only keys whose databases are among them (a key of every database has none).
 */
const MANAGED_BY = `($1::text IS NULL OR (tenant = $1 AND ($2::text[] IS NULL OR databases <@ $2::text[])))`;

function managerParams(manager: KeyManager): [string | null, string[] | null] {
  return [manager?.tenant ?? null, manager?.databases ?? null];
}

@Injectable()
export class ApiKeysRepository {
  async insert(
    db: Queryable,
    id: string,
    tenant: string,
    databases: string[] | null,
    secretHash: string,
    admin = false,
  ): Promise<void> {
    await db.query(
      'INSERT INTO vecgate_api_keys (id, tenant, databases, secret_hash, admin) VALUES ($1, $2, $3, $4, $5)',
      [id, tenant, databases, secretHash, admin],
    );
  }

  /** The live key with this id and its secret's hash, or nothing (unknown or revoked). */
  async findActive(db: Queryable, id: string): Promise<(ApiKeyRow & { secretHash: string }) | undefined> {
    const { rows } = await db.query<ApiKeyRecord>(
      'SELECT * FROM vecgate_api_keys WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
    return rows[0] && { ...toRow(rows[0]), secretHash: rows[0].secret_hash };
  }

  /** Whether a key was ever created, revoked ones included: auth `auto` stays on from then on. */
  async anyCreated(db: Queryable): Promise<boolean> {
    const { rows } = await db.query('SELECT EXISTS (SELECT 1 FROM vecgate_api_keys) AS any');
    return rows[0].any;
  }

  /** Every key `manager` may manage (every key at all for null). */
  async list(db: Queryable, manager: KeyManager = null): Promise<ApiKeyRow[]> {
    const { rows } = await db.query<ApiKeyRecord>(
      `SELECT id, tenant, databases, admin, created_at, revoked_at FROM vecgate_api_keys
        WHERE ${MANAGED_BY} ORDER BY created_at, id`,
      managerParams(manager),
    );
    return rows.map(toRow);
  }

  /** Revokes a live key that `manager` may manage; false when there is no such key. */
  async revoke(db: Queryable, id: string, manager: KeyManager = null): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE vecgate_api_keys SET revoked_at = now() WHERE id = $3 AND revoked_at IS NULL AND ${MANAGED_BY}`,
      [...managerParams(manager), id],
    );
    return rowCount === 1;
  }
}
