import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Database } from '../../database/database';
import { TenantsRepository } from '../tenants/tenants.repository';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyRow, Principal, type KeyManager } from './principal';
import { DEFAULT_DATABASE } from '../scope';

/**
 * A key is `vg_<id>_<secret>`: the id (16 hex digits) finds the row, the secret (32 random bytes)
 * proves it. Secrets carry 256 bits of entropy, so a plain SHA-256 is a sound hash for them (a slow
 * password hash would only slow every request down).
 */
const KEY = /^vg_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function hash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** How long a replica trusts its answer to "is any key configured?" (another replica may create one). */
const ANY_KEY_TTL_MS = 2000;

@Injectable()
export class ApiKeysService {
  private anyKey: { value: boolean; at: number } | undefined;

  constructor(
    private readonly db: Database,
    private readonly repository: ApiKeysRepository,
    private readonly tenants: TenantsRepository,
  ) {}

  /** Creates a key for the tenant (and the tenant and its databases, if they do not exist yet). */
  async create(tenant: string, databases: string[] | null, admin = false): Promise<{ id: string; key: string }> {
    const id = randomBytes(8).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    await this.db.transaction(async (tx) => {
      await this.tenants.insertTenant(tx, tenant);
      for (const name of databases ?? [DEFAULT_DATABASE]) {
        await this.tenants.insertDatabase(tx, randomUUID(), tenant, name);
      }
      await this.repository.insert(tx, id, tenant, databases, hash(secret), admin);
    });
    this.anyKey = undefined;
    return { id, key: `vg_${id}_${secret}` };
  }

  /** Every key, or those `manager` may manage. */
  list(manager: KeyManager = null): Promise<ApiKeyRow[]> {
    return this.repository.list(this.db, manager);
  }

  /** Refuses a key from now on (one `manager` may manage, when given); false when there is no such live key. */
  async revoke(id: string, manager: KeyManager = null): Promise<boolean> {
    return this.repository.revoke(this.db, id, manager);
  }

  /**
   * Whether auth `auto` is on: once any key has been created, revoked or not. Revoking the last key
   * (a compromised one, say) must not open every tenant again; only VECGATE_AUTH=off does that.
   * Cached for a moment; once true it stays true (keys are never deleted, only revoked).
   */
  async authTurnedOn(): Promise<boolean> {
    if (this.anyKey?.value) return true;
    if (!this.anyKey || Date.now() - this.anyKey.at > ANY_KEY_TTL_MS) {
      this.anyKey = { value: await this.repository.anyCreated(this.db), at: Date.now() };
    }
    return this.anyKey.value;
  }

  /** The principal a presented key stands for, or undefined when it is malformed, unknown or revoked. */
  async verify(presented: string): Promise<Principal | undefined> {
    const m = KEY.exec(presented);
    if (!m) return undefined;
    const row = await this.repository.findActive(this.db, m[1]);
    if (!row) return undefined;
    const expected = Buffer.from(row.secretHash, 'hex');
    const actual = Buffer.from(hash(m[2]), 'hex');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return { keyId: row.id, tenant: row.tenant, databases: row.databases, admin: row.admin };
  }
}
