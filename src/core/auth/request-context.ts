import { ScopedValue } from '../../database/scoped-value';
import type { Principal } from './principal';

interface Context {
  principal?: Principal;
}

const storage = new ScopedValue<Context>('principal');

/**
 * Gives each request a context that lives as long as its async work, so a service can ask whose
 * request it serves without every signature carrying it (the auth guard fills it in).
 */
export function runWithPrincipalContext(rest: () => void): void {
  storage.run({}, rest);
}

export function setPrincipal(principal: Principal): void {
  const context = storage.get();
  if (context) context.principal = principal;
}

export function currentPrincipal(): Principal | undefined {
  return storage.get()?.principal;
}
