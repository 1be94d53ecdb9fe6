import type { ProtocolPort } from '../common/port-routing';
import type { ProtocolErrorRenderer } from '../common/protocol-errors';
import { ChromaModule } from './chroma/chroma.module';
import { chromaErrorRenderer } from './chroma/chroma-errors.renderer';
import { CHROMA_MODELS } from './chroma/dto/responses.dto';
import { PINECONE_MODELS } from './pinecone/dto/responses.dto';
import { PineconeModule } from './pinecone/pinecone.module';
import { pineconeErrorRenderer } from './pinecone/pinecone-errors.renderer';
import { QDRANT_MODELS } from './vectorizer/dto/qdrant.dto';
import { QDRANT_PREFIX } from './qdrant/qdrant-prefix';
import { QdrantModule } from './qdrant/qdrant.module';
import { qdrantErrorRenderer } from './qdrant/qdrant-errors.renderer';
import { QDRANT_API_MODELS } from './qdrant/dto/responses.dto';
import { VECTORIZER_MODELS } from './vectorizer/dto/responses.dto';
import { VectorizerModule } from './vectorizer/vectorizer.module';
import { ConsoleModule } from '../console/console.module';
import { consoleErrorRenderer } from '../console/console-errors.renderer';
import { CONSOLE_MODELS } from '../console/dto/console.dto';
import { vectorizerErrorRenderer } from './vectorizer/vectorizer-errors.renderer';

/**
 * Every protocol the gateway speaks, and the web console's API (an adapter over the same core), in one list: the app module mounts their modules, and the app
 * factory hands their error shapes, path owners and OpenAPI models to the infrastructure, which
 * imports no protocol itself.
 */
export const PROTOCOL_MODULES = [ChromaModule, PineconeModule, VectorizerModule, QdrantModule, ConsoleModule];

/**
 * Protocols served on a port of their own (common/port-routing.ts): Qdrant's probes are the
 * gateway's own (`/livez` is its liveness, `/healthz`), answered in Qdrant's plain-text words;
 * its `/metrics` is Qdrant's (the gateway's stay on the main port).
 */
export const PROTOCOL_PORTS: ProtocolPort[] = [
  {
    prefix: QDRANT_PREFIX,
    shared: { '/healthz': '/healthz', '/livez': '/healthz', '/readyz': '/readyz' },
    probeWords: { live: 'healthz check passed', ready: 'all shards are ready', notReady: 'some shards are not ready' },
  },
];

/** Each protocol's error shape, for the requests under its paths. */
export const ERROR_RENDERERS: ProtocolErrorRenderer[] = [
  chromaErrorRenderer,
  pineconeErrorRenderer,
  vectorizerErrorRenderer,
  qdrantErrorRenderer,
  consoleErrorRenderer,
];

/** The response models the OpenAPI document names. */
export const OPENAPI_MODELS = [
  ...CHROMA_MODELS,
  ...PINECONE_MODELS,
  ...VECTORIZER_MODELS,
  ...QDRANT_MODELS,
  ...QDRANT_API_MODELS,
  ...CONSOLE_MODELS,
];

/** Which protocol a request path belongs to (as its error renderer claims it); probes, metrics and unknown paths are `other`. */
export function protocolOf(path: string): string {
  return ERROR_RENDERERS.find((r) => r.matches(path))?.name ?? 'other';
}
