import type { FastifyRequest } from 'fastify';
import { fromTrustedProxy } from '../../common/trusted-proxies';
import type { AppConfig } from '../../config/app-config';

/**
 * The base URL clients reach the gateway at: PUBLIC_URL when set, else the request's own scheme and
 * host, as a trusted proxy in front reports them (X-Forwarded-Proto / X-Forwarded-Host; see
 * VECGATE_TRUSTED_PROXIES), or as the request itself says.
 */
export function publicBaseUrl(config: AppConfig, req: FastifyRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h)?.split(',')[0].trim();
  const proxied = fromTrustedProxy(config, req);
  const proto = (proxied && first(req.headers['x-forwarded-proto'])) || req.protocol;
  const host = (proxied && first(req.headers['x-forwarded-host'])) || req.headers.host || 'localhost';
  return `${proto}://${host}`;
}
