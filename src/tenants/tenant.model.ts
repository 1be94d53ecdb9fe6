export interface DatabaseRow {
  id: string;
  name: string;
  tenant: string;
}

/** The tenant and database every catalog starts with (migration 001), and a new key's database. */
export const DEFAULT_TENANT = 'default_tenant';
export const DEFAULT_DATABASE = 'default_database';
