import type { INestApplication, Type } from '@nestjs/common';
import {
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
} from '@nestjs/swagger';

/**
 * Where the documentation is served. Neither path starts with a protocol's prefix (/api/,
 * /indexes, /collections, /qdrant, Vectorizer's top-level routes), so no error renderer claims them.
 */
export const OPENAPI_UI_PATH = '/docs';
export const OPENAPI_JSON_PATH = '/docs-json';

/** One tag per protocol surface, in the order the UI lists them. Controllers spell them out (they may import nothing else). */
export const OPENAPI_TAGS = {
  chroma: 'Chroma',
  pineconeControl: 'Pinecone control plane',
  pineconeData: 'Pinecone data plane',
  vectorizer: 'Vectorizer',
  qdrant: 'Vectorizer Qdrant-compatible',
  qdrantApi: 'Qdrant (QDRANT_PORT, 6333)',
  console: 'Console',
} as const;

/** The error body schema of each tag's routes (registered from the protocols' responses.dto.ts). */
const ERROR_SCHEMA: Record<string, string> = {
  [OPENAPI_TAGS.chroma]: 'ChromaError',
  [OPENAPI_TAGS.pineconeControl]: 'PineconeControlError',
  [OPENAPI_TAGS.pineconeData]: 'PineconeDataError',
  [OPENAPI_TAGS.vectorizer]: 'VectorizerError',
  [OPENAPI_TAGS.qdrant]: 'VectorizerError',
  [OPENAPI_TAGS.qdrantApi]: 'QdrantError',
  [OPENAPI_TAGS.console]: 'ConsoleError',
};

const DESCRIPTION = [
  'One gateway, four vector-database protocols, one store (PostgreSQL with pgvector).',
  '',
  '- **Chroma v2** under `/api/v2`: tenants, databases, collections and records, as the official `chromadb` client calls them. Errors: `{"error", "message"}`.',
  "- **Pinecone**: the control plane at `/indexes` (pass the gateway's URL as `controllerHostUrl`), and each index's data plane under `/indexes/{index}` " +
    '(the `host` the control plane returns). Errors: `{"error": {"code", "message"}, "status"}` on the control plane, `{"code", "message", "details"}` on the data plane.',
  '- **Vectorizer**: collections, vectors, batches and search at the root (`/collections`, `/insert_vectors`, `/search`, ...), and the Qdrant-compatible ' +
    'routes its TypeScript SDK calls under `/qdrant/collections`. Errors: `{"error_type", "message", "details", "status_code"}`.',
  "- **Qdrant** on its own port (QDRANT_PORT, 6333): listed here under `/_qdrant`, the prefix its port's requests are routed under; call them on that port " +
    'without it. Answers `{"result", "status", "time"}`; errors `{"status": {"error"}, "time"}`.',
  '- **Console**: the web console at `/console/` and its JSON API under `/console/api` (the same keys; keys management for an admin key). ' +
    'Errors: `{"error": {"code", "message", "dialect"}}`.',
  '',
  'Request bodies are read as JSON whatever their content type. The request schemas are the ones the gateway checks: a body that does not fit is ' +
    "refused with a 4xx in the protocol's own error shape.",
].join('\n');

/** The response classes the document names besides the routes' own (the protocols' error bodies, their answers). */
export type OpenApiModels = Type<unknown>[];

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** A path's operations by HTTP method (what is left once the non-methods are dropped). */
type PathItem = Record<string, OperationObject>;

/**
 * Makes the scanned document valid OpenAPI 3.0 and completes it:
 *  - drops operations under methods OpenAPI 3.0 does not have (an @All route also yields `search`);
 *  - merges paths that differ only in their parameter names (`/collections/{name}` for GET and
 *    DELETE, `/collections/{id}` for PUT), which OpenAPI forbids: the merged parameter is named
 *    `{name_or_id}` and each operation keeps its own description of it;
 *  - gives every operation of a protocol a `default` response with that protocol's error body.
 */
export function finishOpenApiDocument(document: OpenAPIObject): OpenAPIObject {
  const byTemplate = new Map<string, { path: string; item: PathItem }>();
  for (const [path, item] of Object.entries(document.paths as Record<string, PathItem>)) {
    for (const key of Object.keys(item)) if (!HTTP_METHODS.includes(key)) delete item[key];
    const template = path.replace(/\{[^}]+\}/g, '{}');
    const seen = byTemplate.get(template);
    if (!seen) {
      byTemplate.set(template, { path, item });
      continue;
    }
    const merged = mergedPath(seen.path, path);
    renameParameters(seen.item, renames(seen.path, merged));
    renameParameters(item, renames(path, merged));
    for (const [method, operation] of Object.entries(item)) {
      if (seen.item[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${path} collides with ${seen.path}`);
      seen.item[method] = operation;
    }
    seen.path = merged;
  }
  document.paths = Object.fromEntries([...byTemplate.values()].map(({ path, item }) => [path, item]));
  for (const item of byTemplate.values()) {
    for (const operation of Object.values(item.item)) {
      const schema = operation.tags?.map((t) => ERROR_SCHEMA[t]).find(Boolean);
      if (schema && !operation.responses?.default) {
        operation.responses = {
          ...operation.responses,
          default: {
            description: "An error, in the protocol's error shape",
            content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
          },
        };
      }
    }
  }
  return document;
}

/** The path with each parameter named after both names it has in the two paths (`{name_or_id}`), or its one name. */
function mergedPath(a: string, b: string): string {
  const bNames = [...b.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  let k = 0;
  return a.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const other = bNames[k++];
    return other === name ? `{${name}}` : `{${name}_or_${other}}`;
  });
}

/** Parameter renames from a path to the merged one, position by position. */
function renames(from: string, to: string): [string, string][] {
  const a = [...from.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const b = [...to.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  return a.map((name, i): [string, string] => [name, b[i]]).filter(([x, y]) => x !== y);
}

function renameParameters(item: PathItem, pairs: [string, string][]): void {
  for (const operation of Object.values(item)) {
    for (const parameter of operation.parameters ?? []) {
      const to =
        'in' in parameter && parameter.in === 'path' ? pairs.find(([from]) => from === parameter.name)?.[1] : undefined;
      if (to) (parameter as ParameterObject).name = to;
    }
  }
}

/** The OpenAPI 3 document of every route, built from the controllers' decorators and the DTOs' properties. */
export function buildOpenApiDocument(app: INestApplication, models: OpenApiModels): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('vecgate')
    .setDescription(DESCRIPTION)
    .setVersion('0.1.0')
    .addTag(OPENAPI_TAGS.chroma, 'Chroma v2 REST API: Chroma 1.0.0 behaviour, plus what the 3.x client uses')
    .addTag(
      OPENAPI_TAGS.pineconeControl,
      'Pinecone control plane: create, list, describe, configure and delete indexes; backups and restore jobs',
    )
    .addTag(
      OPENAPI_TAGS.pineconeData,
      'Pinecone data plane of one index (its host is /indexes/{index}): vectors, queries, namespaces, statistics',
    )
    .addTag(OPENAPI_TAGS.vectorizer, 'Vectorizer REST API: collections, vectors, batches, search, delete by filter')
    .addTag(OPENAPI_TAGS.qdrant, "Vectorizer's Qdrant-compatible routes, as its TypeScript SDK calls them")
    .addTag(
      OPENAPI_TAGS.qdrantApi,
      "Qdrant's REST API on QDRANT_PORT (6333), as the official clients call it: listed under /_qdrant, called on that port without it",
    )
    .addTag(
      OPENAPI_TAGS.console,
      'The web console’s API: the catalog, records filtered in any protocol’s dialect, search, explain, projection, quality, metrics, jobs and keys',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: models,
    autoTagControllers: false,
  });
  return finishOpenApiDocument(document);
}

/**
 * Serves the Swagger UI at /docs and the JSON document at /docs-json. Call it on the app before
 * listen/init: the routes go straight to the HTTP adapter, ahead of Nest's router, so no global
 * guard, interceptor or error renderer touches them; the UI's assets are served from the
 * swagger-ui-dist package (no CDN). The document is built on its first request.
 */
export function setupOpenApi(app: INestApplication, models: OpenApiModels): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => (document ??= buildOpenApiDocument(app, models)), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'vecgate API',
    // No online validator badge: the page loads nothing from outside the gateway.
    swaggerOptions: { validatorUrl: null },
  });
}
