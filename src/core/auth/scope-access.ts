import { ForbiddenError } from '../errors';
import type { Principal } from './principal';
import { currentPrincipal } from './request-context';

/** What a key reaches, in the refusal: a client pointed at the default tenant learns what to ask for instead. */
function keyReach(principal: Principal): string {
  const databases = principal.databases
    ? `database${principal.databases.length > 1 ? 's' : ''} ${principal.databases.join(', ')}`
    : 'every database';
  return `it is a key for tenant ${principal.tenant} (${databases})`;
}

/**
 * Refuses a request whose API key is not bound to this tenant and database. Called by the core
 * services on every catalog access, so no route of any protocol can reach another tenant's data.
 * Without a principal (auth off, or the CLI) everything is allowed.
 */
export function assertScopeAllowed(tenant: string, database?: string): void {
  const principal = currentPrincipal();
  if (!principal) return;
  if (principal.tenant !== tenant)
    throw new ForbiddenError(`This API key is not allowed to access tenant ${tenant}: ${keyReach(principal)}`);
  if (database !== undefined && principal.databases && !principal.databases.includes(database)) {
    throw new ForbiddenError(
      `This API key is not allowed to access database ${database} of tenant ${tenant}: ${keyReach(principal)}`,
    );
  }
}

/** Whether the request's key reaches this tenant and database (always, without a key). */
export function scopeAllowed(tenant: string, database: string): boolean {
  const principal = currentPrincipal();
  return (
    !principal || (principal.tenant === tenant && (!principal.databases || principal.databases.includes(database)))
  );
}

/** Operations over every tenant (Chroma's reset) are for no key at all. */
export function assertNoPrincipal(what: string): void {
  if (currentPrincipal()) throw new ForbiddenError(`${what} is not allowed with an API key`);
}
