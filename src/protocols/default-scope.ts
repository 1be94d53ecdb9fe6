import type { AppConfig } from '../config/app-config';
import { currentPrincipal } from '../core/auth/request-context';
import { DEFAULT_DATABASE, type Scope } from '../core/scope';

/**
 * Where Pinecone indexes and Vectorizer collections live for this request: the key's tenant (and
 * its first database, or the default one) when a key is presented, else the configured default.
 */
export function defaultScope(config: AppConfig): Scope {
  const principal = currentPrincipal();
  if (!principal) return { tenant: config.defaultTenant, database: config.defaultDatabase };
  return { tenant: principal.tenant, database: principal.databases?.[0] ?? DEFAULT_DATABASE };
}
