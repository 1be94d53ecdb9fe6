/** Who a request acts for: the tenant (and databases) its API key is bound to. */
export interface Principal {
  keyId: string;
  tenant: string;
  /** Null: every database of the tenant. */
  databases: string[] | null;
  /** May list, create and revoke the keys of its tenant (the console's keys page). */
  admin: boolean;
}

export interface ApiKeyRow {
  id: string;
  tenant: string;
  databases: string[] | null;
  admin: boolean;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * Whose keys a caller may manage: a tenant's, and when the caller's own key is limited to some
 * databases, only keys limited to those (never a key of every database). Null: every key (the CLI,
 * or the console without auth).
 */
export type KeyManager = Pick<Principal, 'tenant' | 'databases'> | null;
