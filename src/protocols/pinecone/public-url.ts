import { FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config';

/**
 * The base URL clients reach the gateway at: PUBLIC_URL when set, else the request's own scheme and
 * host, as a proxy in front reports them (X-Forwarded-Proto / X-Forwarded-Host).
 */
export function publicBaseUrl(config: AppConfig, req: FastifyRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const first = (h: string | string[] | undefined) => (Array.isArray(h) ? h[0] : h)?.split(',')[0].trim();
  const proto = first(req.headers['x-forwarded-proto']) || req.protocol;
  const host = first(req.headers['x-forwarded-host']) || req.headers.host || 'localhost';
  return `${proto}://${host}`;
}
