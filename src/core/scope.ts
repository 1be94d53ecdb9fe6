/** Where a call acts: a tenant and one of its databases (Chroma names them; Pinecone and Vectorizer use defaults). */
export interface Scope {
  tenant: string;
  database: string;
}

/** The tenant and database every catalog starts with (migration 001), and a new key's database. */
export const DEFAULT_TENANT = 'default_tenant';
export const DEFAULT_DATABASE = 'default_database';

/** Chroma's records live in the default namespace; Pinecone's `""` and `__default__` are this one. */
export const DEFAULT_NAMESPACE = '';
