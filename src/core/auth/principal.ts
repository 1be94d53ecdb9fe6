/** Who a request acts for: the tenant (and databases) its API key is bound to. */
export interface Principal {
  keyId: string;
  tenant: string;
  /** Null: every database of the tenant. */
  databases: string[] | null;
}

export interface ApiKeyRow {
  id: string;
  tenant: string;
  databases: string[] | null;
  createdAt: Date;
  revokedAt: Date | null;
}
