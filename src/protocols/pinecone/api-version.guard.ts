import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PineconeControlError } from './pinecone-error';

/**
 * The versions of Pinecone's API (`X-Pinecone-Api-Version`) vecgate answers: every one Pinecone
 * has published a specification of (pinecone-io/pinecone-api), the preview of document indexes
 * included. Older clients send the older ones, and vecgate serves them all on the same routes.
 */
export const PINECONE_API_VERSIONS = [
  '2024-04',
  '2024-07',
  '2024-10',
  '2025-01',
  '2025-04',
  '2025-10',
  '2026-01.alpha',
  '2026-04',
  '2026-07',
] as const;

const SUPPORTED = new Set<string>(PINECONE_API_VERSIONS);

/**
 * Refuses a request whose API version is not one of PINECONE_API_VERSIONS with a 400 naming
 * them, before it reads or changes anything: vecgate cannot know the shapes of a version it was
 * not written for. A request without the header is served, as Pinecone serves it (under its
 * oldest supported version; vecgate's routes accept every version's shapes).
 */
@Injectable()
export class PineconeApiVersionGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const value = context.switchToHttp().getRequest<FastifyRequest>().headers['x-pinecone-api-version'];
    if (value === undefined) return true;
    const version = Array.isArray(value) ? value.join(', ') : value;
    if (SUPPORTED.has(version)) return true;
    throw PineconeControlError.invalid(
      `Unsupported API version ${JSON.stringify(version.slice(0, 64))} in the X-Pinecone-Api-Version header. ` +
        `Supported versions: ${PINECONE_API_VERSIONS.join(', ')}.`,
    );
  }
}
