import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { QDRANT_MODELS } from '../protocols/vectorizer/dto/qdrant.dto';

/** Where the documentation is served. Neither path is under a protocol's prefix, so no error renderer claims them. */
export const OPENAPI_UI_PATH = 'docs';
export const OPENAPI_JSON_PATH = '/docs-json';

/** One tag per protocol surface, in the order the UI lists them. */
export const OPENAPI_TAGS = {
  chroma: 'Chroma',
  pineconeControl: 'Pinecone control plane',
  pineconeData: 'Pinecone data plane',
  vectorizer: 'Vectorizer',
  qdrant: 'Vectorizer Qdrant-compatible',
} as const;

const DESCRIPTION = [
  'One gateway, three vector-database protocols, one store (PostgreSQL with pgvector).',
  '',
  '- **Chroma v2** under `/api/v2`: tenants, databases, collections and records, as the official `chromadb` client calls them. Errors: `{"error", "message"}`.',
  '- **Pinecone**: the control plane at `/indexes` (pass the gateway URL as `controllerHostUrl`), and each index\'s data plane under `/indexes/{index}` ' +
    '(the index host the control plane returns). Errors: `{"error": {"code", "message"}, "status"}` on the control plane, `{"code", "message", "details"}` on the data plane.',
  '- **Vectorizer**: collections, vectors and search at the root (`/collections`, `/insert_vectors`, `/search`, ...), and the Qdrant-compatible routes ' +
    'of its TypeScript SDK under `/qdrant/collections`. Errors: `{"error_type", "message", "details", "status_code"}`.',
  '',
  'Request bodies are JSON whatever the content type. The schemas below are the ones the gateway validates: a body that does not fit is refused ' +
    'with a 4xx in the protocol\'s own error shape.',
].join('\n');

/** The OpenAPI 3 document of every route, built from the controllers' decorators and the DTOs' properties. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('vecgate')
    .setDescription(DESCRIPTION)
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addTag(OPENAPI_TAGS.chroma, 'Chroma v2 REST API (Chroma 1.0.0 behaviour, plus what the 3.x client uses)')
    .addTag(OPENAPI_TAGS.pineconeControl, 'Pinecone control plane: create, list, describe, configure and delete indexes')
    .addTag(OPENAPI_TAGS.pineconeData, "Pinecone data plane of one index (its host is /indexes/{index}): vectors, queries, namespaces, stats")
    .addTag(OPENAPI_TAGS.vectorizer, 'Vectorizer REST API: collections, vectors, batches, search, delete by filter')
    .addTag(OPENAPI_TAGS.qdrant, "Vectorizer's Qdrant-compatible routes, as its TypeScript SDK calls them")
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: QDRANT_MODELS });
}

/**
 * Serves the Swagger UI at /docs and the JSON document at /docs-json. Call it on the app before
 * listen/init: the routes go straight to the HTTP adapter (ahead of Nest's router, so no global
 * interceptor, guard or error renderer touches them), and the UI's assets come from the
 * swagger-ui-dist package, not from a CDN. The document is built on the first request.
 */
export function setupOpenApi(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'vecgate API',
    // No online validator badge: the UI makes no request outside the gateway.
    swaggerOptions: { docExpansion: 'list', validatorUrl: null },
  });
}
