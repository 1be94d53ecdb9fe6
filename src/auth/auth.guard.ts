import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { pathOf } from '../common/request-path';
import { UnauthenticatedError } from '../common/errors';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ApiKeysService } from './api-keys.service';
import { setPrincipal } from './request-context';
import { assertScopeAllowed } from './scope-access';

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

/**
 * With VECGATE_AUTH=required (or auto, once a key exists), every request but the open probes must present a live API key; the
 * key's principal is kept for the request, and a tenant or database named in the path must be
 * the key's. (The core services check every catalog access again.)
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly keys: ApiKeysService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.config.auth === 'off') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (OPEN_PATHS.has(pathOf(req.url))) return true;
    if (this.config.auth === 'auto' && !(await this.keys.anyActive())) return true;
    const presented = presentedKey(req);
    if (!presented) throw new UnauthenticatedError('An API key is required');
    const principal = await this.keys.verify(presented.trim());
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
}
