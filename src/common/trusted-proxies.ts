import { compile } from '@fastify/proxy-addr';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../config/app-config';

const compiled = new WeakMap<AppConfig, (address: string, hop: number) => boolean>();

/**
 * Whether the request came straight from a proxy the operator trusts (VECGATE_TRUSTED_PROXIES),
 * so that its X-Forwarded-* headers say where the client was. From anyone else they are the
 * client's own claims, and a Pinecone index host built from them would send other clients there.
 */
export function fromTrustedProxy(config: AppConfig, req: FastifyRequest): boolean {
  if (config.trustedProxies.length === 0) return false;
  let trusted = compiled.get(config);
  if (!trusted) compiled.set(config, (trusted = compile(config.trustedProxies)));
  const peer = req.raw.socket?.remoteAddress;
  return peer !== undefined && trusted(peer, 0);
}
