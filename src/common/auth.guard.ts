import { createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { AUTH_FAILURES_MESSAGE, AuthFailures } from '../limits/auth-failures';
import { pathOf } from './request-path';
import { RateLimitedError, UnauthenticatedError } from '../core/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ApiKeysService } from '../core/auth/api-keys.service';
import type { Principal } from '../core/auth/principal';
import { setPrincipal } from '../core/auth/request-context';
import { assertScopeAllowed } from '../core/auth/scope-access';

/** What a load balancer or a client probes before it has a key. */
const OPEN_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/api/v2/heartbeat', '/api/v2/version']);

/** The key as each protocol's clients send it: Chroma's x-chroma-token or a bearer token, Pinecone's and Vectorizer's Api-Key. */
function presentedKey(req: FastifyRequest): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return header('x-chroma-token') ?? bearer ?? header('api-key') ?? header('x-api-key');
}

/** How many keys that verified lately a replica remembers as known (digests only). */
const KNOWN_KEYS = 10_000;

const digest = (key: string) => createHash('sha256').update(key).digest('base64');

/**
 * With VECGATE_AUTH=required (or auto, once a key has been created), every request but the open probes must present a live API key; the
 * key's principal is kept for the request, and a tenant or database named in the path must be
 * the key's. (The core services check every catalog access again.)
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Lookups under way by presented key: a burst with one key costs one lookup, not one each. */
  private readonly inflight = new Map<string, Promise<Principal | undefined>>();
  /** Keys that verified lately: they do not take a place of their address's failure budget. */
  private readonly known = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeysService,
    private readonly failures: AuthFailures,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.config.auth === 'off') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (OPEN_PATHS.has(pathOf(req.url))) return true;
    if (this.config.auth === 'auto' && !(await this.keys.authTurnedOn())) return true;
    const presented = presentedKey(req);
    if (!presented) {
      this.failures.failed(req.ip);
      throw new UnauthenticatedError('An API key is required');
    }
    const principal = await this.verify(req.ip, presented.trim());
    if (!principal) throw new UnauthenticatedError('The API key is not valid');
    setPrincipal(principal);
    const param = (name: string) => {
      const v = (req.params as Record<string, unknown> | undefined)?.[name];
      return typeof v === 'string' ? v : undefined;
    };
    const tenant = param('tenant');
    if (tenant !== undefined) assertScopeAllowed(tenant, param('database'));
    return true;
  }

  /**
   * The key's principal, or undefined (counted as a failure of the address). A key not known to be
   * good takes a place of the address's failure budget while it is looked up, so that a burst of
   * made-up keys costs at most a budget of lookups; the rest are refused with a 429 unread.
   */
  private async verify(address: string, key: string): Promise<Principal | undefined> {
    const joined = this.inflight.get(key);
    if (joined) {
      const principal = await joined;
      if (!principal) this.failures.failed(address);
      return principal;
    }
    const id = digest(key);
    const reserved = !this.known.has(id);
    if (reserved && !this.failures.reserve(address)) {
      throw new RateLimitedError(1, AUTH_FAILURES_MESSAGE);
    }
    const lookup = this.keys.verify(key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, lookup);
    let principal: Principal | undefined;
    try {
      principal = await lookup;
    } catch (error) {
      if (reserved) this.failures.settle(address, true);
      throw error;
    }
    if (reserved) this.failures.settle(address, principal !== undefined);
    else if (!principal) this.failures.failed(address);
    this.remember(id, principal !== undefined);
    return principal;
  }

  private remember(id: string, good: boolean): void {
    this.known.delete(id);
    if (!good) return;
    this.known.add(id);
    if (this.known.size > KNOWN_KEYS) this.known.delete(this.known.values().next().value!);
  }
}
