import { RequestMethod, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA, PARAMTYPES_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { OPENAPI_TAGS } from '../../../src/common/openapi';
import { chromaErrorRenderer } from '../../../src/protocols/chroma/chroma-errors.renderer';
import { ChromaModule } from '../../../src/protocols/chroma/chroma.module';
import { pineconeErrorRenderer } from '../../../src/protocols/pinecone/pinecone-errors.renderer';
import { PineconeModule } from '../../../src/protocols/pinecone/pinecone.module';
import { vectorizerErrorRenderer } from '../../../src/protocols/vectorizer/vectorizer-errors.renderer';
import { VectorizerModule } from '../../../src/protocols/vectorizer/vectorizer.module';
import { QdrantModule } from '../../../src/protocols/qdrant/qdrant.module';
import { qdrantErrorRenderer } from '../../../src/protocols/qdrant/qdrant-errors.renderer';
import { http } from '../../support/gateway';
import { HTTP_METHODS, openApiProblems } from './openapi-check';
import { routerRoutes, startDocumentedGateway } from './openapi-gateway';

interface Route {
  module: string;
  controller: Type<unknown>;
  handler: string;
  method: string;
  path: string;
}

/** `/a/:b/*c` as OpenAPI writes it, `/a/{b}/{c}`. */
function openApiPath(...parts: string[]): string {
  const joined =
    '/' +
    parts
      .map((p) => p.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/');
  // `:name` and `*name` are parameters, and so is Fastify's bare trailing wildcard.
  return joined.replace(/[:*](\w+)/g, '{$1}').replace(/\*$/, '{wildcard}');
}

/** Paths compare by their shape: parameter names do not matter (the document may merge `{name}` and `{id}`). */
function template(path: string): string {
  return path.replace(/\{[^}]+\}/g, '{}');
}

/** Every route Nest knows, from the controllers' metadata, with the module that declares it. */
function nestRoutes(app: INestApplication): Route[] {
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown>;
      const bases = ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      for (const handler of Object.getOwnPropertyNames(controller.prototype)) {
        const fn = controller.prototype[handler];
        if (handler === 'constructor' || typeof fn !== 'function') continue;
        const requestMethod: RequestMethod | undefined = Reflect.getMetadata(METHOD_METADATA, fn);
        if (requestMethod === undefined || Reflect.getMetadata(PATH_METADATA, fn) === undefined) continue;
        // @All: every method the scanner documents for it (all of OpenAPI 3.0's but TRACE).
        const methods =
          requestMethod === RequestMethod.ALL
            ? HTTP_METHODS.filter((m) => m !== 'trace')
            : [RequestMethod[requestMethod].toLowerCase()];
        for (const base of bases) {
          for (const sub of ([] as string[]).concat(Reflect.getMetadata(PATH_METADATA, fn))) {
            for (const method of methods)
              routes.push({ module: module.metatype.name, controller, handler, method, path: openApiPath(base, sub) });
          }
        }
      }
    }
  }
  return routes;
}

const PROTOCOL_MODULES = [ChromaModule.name, PineconeModule.name, VectorizerModule.name, QdrantModule.name];

/** The tag each protocol route must carry. */
function expectedTag(route: Route): string {
  if (route.module === ChromaModule.name) return OPENAPI_TAGS.chroma;
  if (route.module === PineconeModule.name)
    return [
      'PineconeIndexesController',
      'PineconeBackupsController',
      'PineconeBackupSchedulesController',
      'PineconeInferenceController',
    ].includes(route.controller.name)
      ? OPENAPI_TAGS.pineconeControl
      : OPENAPI_TAGS.pineconeData;
  if (route.module === QdrantModule.name) return OPENAPI_TAGS.qdrantApi;
  return route.controller.name === 'VectorizerQdrantController' ? OPENAPI_TAGS.qdrant : OPENAPI_TAGS.vectorizer;
}

/** Fields a route requires although its DTO lets them through (the route itself refuses their absence with a 400). */
const REQUIRED_BY_ROUTE: Record<string, string[]> = { VectorizerDeleteByFilter: ['filter'] };

/** The schema name @ApiSchema gives a DTO (a subclass's metadata lists its parents' first, its own last). */
function schemaName(dto: Type<unknown>): string {
  const own: { name?: string }[] = Reflect.getOwnMetadata(DECORATORS.API_SCHEMA, dto) ?? [];
  return own[own.length - 1]?.name ?? dto.name;
}

/** The DTO class of each route's @Body() (undefined for a raw JSON body). */
function bodyDto(route: Route): Type<unknown> | undefined {
  const args: Record<string, { index: number; data?: unknown }> =
    Reflect.getMetadata(ROUTE_ARGS_METADATA, route.controller, route.handler) ?? {};
  const types: unknown[] = Reflect.getMetadata(PARAMTYPES_METADATA, route.controller.prototype, route.handler) ?? [];
  const body = Object.entries(args).find(
    ([key, arg]) => key.split(':')[0] === String(RouteParamtypes.BODY) && arg.data === undefined,
  );
  if (!body) return undefined;
  const type = types[body[1].index] as Type<unknown> | undefined;
  return type && type !== Object ? type : undefined;
}

describe('OpenAPI documentation at /docs', () => {
  let gateway: Awaited<ReturnType<typeof startDocumentedGateway>>;
  let doc: any;
  let routes: Route[];
  let protocolRoutes: Route[];

  beforeAll(async () => {
    gateway = await startDocumentedGateway();
    const res = await http(gateway.url, 'GET', '/docs-json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = res.body;
    routes = nestRoutes(gateway.app);
    protocolRoutes = routes.filter((r) => PROTOCOL_MODULES.includes(r.module));
  });

  afterAll(async () => {
    await gateway?.close();
  });

  const operation = (route: Route): any => {
    const path = Object.keys(doc.paths).find((p) => template(p) === template(route.path));
    return path === undefined ? undefined : doc.paths[path][route.method];
  };

  describe('/docs-json', () => {
    it('is a valid OpenAPI 3.0 document titled vecgate', () => {
      expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
      expect(doc.info.title).toBe('vecgate');
      expect(doc.info.description).toMatch(/Chroma/);
      expect(doc.info.description).toMatch(/Pinecone/);
      expect(doc.info.description).toMatch(/Vectorizer/);
      expect(openApiProblems(doc)).toEqual([]);
    });

    it('discovers the routes of every controller of the four protocols', () => {
      const controllers = new Set(protocolRoutes.map((r) => r.controller.name));
      expect([...controllers].sort()).toEqual(
        expect.arrayContaining([
          'ChromaCollectionsController',
          'ChromaCrnController',
          'ChromaRecordsController',
          'ChromaSystemController',
          'ChromaTenantsController',
          'PineconeIndexesController',
          'PineconeNamespacesController',
          'PineconeVectorsController',
          'VectorizerCollectionsController',
          'VectorizerQdrantController',
          'VectorizerSearchController',
          'VectorizerVectorsController',
          'QdrantServiceController',
          'QdrantCollectionsController',
          'QdrantPointsController',
        ]),
      );
      // A few by hand, so that discovery itself is checked.
      const seen = new Set(protocolRoutes.map((r) => `${r.method} ${template(r.path)}`));
      for (const known of [
        'post /api/v2/tenants/{}/databases/{}/collections/{}/query',
        'get /api/v2/heartbeat',
        'post /indexes',
        'post /indexes/{}/vectors/upsert',
        'get /indexes/{}/vectors/fetch',
        'post /insert_vectors',
        'post /collections/{}/delete_by_filter',
        'put /qdrant/collections/{}/points',
        'post /_qdrant/collections/{}/points/query',
      ]) {
        expect(seen).toContain(known);
      }
      expect(protocolRoutes.length).toBeGreaterThanOrEqual(77);
    });

    it('documents every route of the four protocols, with its protocol tag and a summary', () => {
      const missing: string[] = [];
      const wrong: string[] = [];
      for (const route of protocolRoutes) {
        const op = operation(route);
        if (!op) {
          missing.push(`${route.method.toUpperCase()} ${route.path}`);
          continue;
        }
        if (JSON.stringify(op.tags) !== JSON.stringify([expectedTag(route)]))
          wrong.push(`${route.method.toUpperCase()} ${route.path}: tags ${JSON.stringify(op.tags)}`);
        if (!op.summary) wrong.push(`${route.method.toUpperCase()} ${route.path}: no summary`);
        if (!op.responses?.default?.content?.['application/json']?.schema?.$ref)
          wrong.push(`${route.method.toUpperCase()} ${route.path}: no error response`);
      }
      expect(missing).toEqual([]);
      expect(wrong).toEqual([]);
    });

    it('documents only routes that exist', () => {
      const known = new Set(routes.map((r) => `${r.method} ${template(r.path)}`));
      const extra: string[] = [];
      for (const [path, item] of Object.entries<any>(doc.paths)) {
        for (const method of Object.keys(item))
          if (!known.has(`${method} ${template(path)}`)) extra.push(`${method.toUpperCase()} ${path}`);
      }
      expect(extra).toEqual([]);
    });

    it("documents every protocol route of the app's HTTP router", () => {
      const renderers = [chromaErrorRenderer, pineconeErrorRenderer, vectorizerErrorRenderer, qdrantErrorRenderer];
      const undocumented: string[] = [];
      let checked = 0;
      for (const { path, methods } of routerRoutes(gateway.app)) {
        if (!renderers.some((r) => r.matches(path))) continue;
        const documented = Object.keys(doc.paths).find((p) => template(p) === template(openApiPath(path)));
        // HEAD, OPTIONS and TRACE come with GET or with @All; the document lists the methods routes declare.
        for (const method of methods.filter((m) => ['get', 'put', 'post', 'delete', 'patch'].includes(m))) {
          checked++;
          if (!documented || !doc.paths[documented][method]) undocumented.push(`${method.toUpperCase()} ${path}`);
        }
      }
      expect(checked).toBeGreaterThanOrEqual(77);
      expect(undocumented).toEqual([]);
    });

    it('names the path parameters of every route', () => {
      const chroma = doc.paths['/api/v2/tenants/{tenant}/databases/{database}/collections'];
      expect(chroma.post.parameters.map((p: any) => p.name).sort()).toEqual(['database', 'tenant']);
      // GET/DELETE by name and PUT by id share one path; each says which it takes.
      const byNameOrId = doc.paths['/api/v2/tenants/{tenant}/databases/{database}/collections/{name_or_id}'];
      expect(Object.keys(byNameOrId).sort()).toEqual(['delete', 'get', 'put']);
      expect(byNameOrId.get.parameters.find((p: any) => p.name === 'name_or_id').description).toMatch(/name/);
      expect(byNameOrId.put.parameters.find((p: any) => p.name === 'name_or_id').description).toMatch(/id/);
    });

    it('marks the optional query parameters optional', () => {
      const fetch = doc.paths['/indexes/{index}/vectors/fetch'].get.parameters;
      expect(fetch.find((p: any) => p.name === 'ids')).toMatchObject({
        in: 'query',
        required: true,
        schema: { type: 'array', items: { type: 'string' } },
      });
      expect(fetch.find((p: any) => p.name === 'namespace')).toMatchObject({ in: 'query', required: false });
      const list = doc.paths['/indexes/{index}/vectors/list'].get.parameters;
      expect(list.find((p: any) => p.name === 'limit')).toMatchObject({
        required: false,
        schema: { type: 'integer', minimum: 1, maximum: 1000 },
      });
      for (const item of Object.values<any>(doc.paths)) {
        for (const op of Object.values<any>(item)) {
          for (const p of op.parameters ?? [])
            if (p.in === 'query' && p.name !== 'ids')
              expect({ op: op.operationId, name: p.name, required: p.required }).toMatchObject({ required: false });
        }
      }
    });
  });

  describe('request schemas', () => {
    const bodies = () =>
      protocolRoutes
        .map((route) => ({ route, dto: bodyDto(route) }))
        .filter((x): x is { route: Route; dto: Type<unknown> } => x.dto !== undefined);

    it('each DTO body route references its DTO schema', () => {
      expect(bodies().length).toBeGreaterThanOrEqual(30);
      for (const { route, dto } of bodies()) {
        const op = operation(route);
        expect({
          route: `${route.method} ${route.path}`,
          ref: op.requestBody?.content?.['application/json']?.schema?.$ref,
        }).toEqual({
          route: `${route.method} ${route.path}`,
          ref: `#/components/schemas/${schemaName(dto)}`,
        });
      }
    });

    it('each raw-body route (Qdrant) references a documented schema', () => {
      const raw = protocolRoutes.filter(
        (r) =>
          ['post', 'put', 'patch'].includes(r.method) &&
          bodyDto(r) === undefined &&
          r.controller.name === 'VectorizerQdrantController',
      );
      expect(raw.length).toBe(7);
      for (const route of raw)
        expect(operation(route).requestBody.content['application/json'].schema.$ref).toMatch(
          /^#\/components\/schemas\/Qdrant/,
        );
    });

    it('document exactly what class-validator checks: required fields, types, bounds', () => {
      const problems: string[] = [];
      const dtos = new Set(bodies().map((b) => b.dto));
      for (const dto of dtos) {
        const name = schemaName(dto);
        const schema = doc.components.schemas[name];
        if (!schema) {
          problems.push(`${dto.name}: no schema ${name}`);
          continue;
        }
        const required: string[] = schema.required ?? [];
        const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
        const properties = new Set(metadata.map((m) => m.propertyName));
        for (const property of properties) {
          const where = `${name}.${property}`;
          const p = schema.properties?.[property];
          if (!p) {
            problems.push(`${where}: validated but not documented`);
            continue;
          }
          if (!p.description) problems.push(`${where}: no description`);
          const checks = metadata.filter((m) => m.propertyName === property);
          const optional = checks.some((m) => m.type === 'conditionalValidation');
          const requiredByValidator = checks.some((m) => m.type === 'isDefined') || !optional;
          const requiredByRoute = (REQUIRED_BY_ROUTE[name] ?? []).includes(property);
          if (
            requiredByValidator !== required.includes(property) &&
            !(requiredByRoute && required.includes(property))
          ) {
            problems.push(
              `${where}: required is ${required.includes(property)}, the validator says ${requiredByValidator}`,
            );
          }
          for (const check of checks) {
            if (check.type === 'isDefined' || check.type === 'conditionalValidation') continue;
            const target = check.each ? p.items : p;
            const expectations: Record<string, () => boolean> = {
              isString: () => target?.type === 'string',
              isInt: () => target?.type === 'integer',
              isBoolean: () => target?.type === 'boolean',
              isArray: () => target?.type === 'array',
              isObject: () => target?.type === 'object',
              min: () => target?.minimum === check.constraints[0],
              max: () => target?.maximum === check.constraints[0],
              arrayMaxSize: () => target?.maxItems === check.constraints[0],
            };
            const expectation = expectations[check.name ?? ''];
            if (!expectation)
              problems.push(`${where}: validator ${check.name} has no documentation check in this test`);
            else if (!expectation())
              problems.push(
                `${where}: ${check.name}${check.each ? ' (each)' : ''} ${JSON.stringify(check.constraints ?? [])} not documented`,
              );
          }
        }
        for (const documented of Object.keys(schema.properties ?? {}))
          if (!properties.has(documented)) problems.push(`${name}.${documented}: documented but not a DTO field`);
        for (const r of required) if (!properties.has(r)) problems.push(`${name}.${r}: required but not a DTO field`);
      }
      expect(problems).toEqual([]);
    });

    it('Chroma query requires query_embeddings: arrays of numbers or base64 strings', () => {
      const query = doc.components.schemas.ChromaQueryRecords;
      expect(query.required).toEqual(['query_embeddings']);
      expect(query.properties.query_embeddings.type).toBe('array');
      expect(query.properties.query_embeddings.items.oneOf).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'array', items: { type: 'number' } }),
          expect.objectContaining({ type: 'string', format: 'byte' }),
        ]),
      );
      expect(query.properties.n_results).toMatchObject({ type: 'integer', minimum: 0 });
      const records = doc.components.schemas.ChromaRecordSet;
      expect(records.required).toEqual(['ids']);
      expect(records.properties.embeddings.items).toEqual(query.properties.query_embeddings.items);
    });

    it('Pinecone query requires topK from 1 to 10000; upsert takes at most 1000 vectors', () => {
      const query = doc.components.schemas.PineconeQuery;
      expect(query.required).toEqual(['topK']);
      expect(query.properties.topK).toMatchObject({ type: 'integer', minimum: 1, maximum: 10000 });
      const upsert = doc.components.schemas.PineconeUpsert;
      expect(upsert.required).toEqual(['vectors']);
      expect(upsert.properties.vectors).toMatchObject({
        type: 'array',
        maxItems: 1000,
        items: { type: 'object', required: ['id'] },
      });
      expect(doc.components.schemas.PineconeDelete.properties.ids).toMatchObject({
        maxItems: 1000,
        items: { type: 'string' },
      });
    });

    it('the schemas match what the gateway refuses and accepts', async () => {
      const post = (path: string, body: unknown) => http(gateway.url, 'POST', path, body);
      expect((await post('/indexes', { name: 'docs-check', dimension: 2, metric: 'cosine' })).status).toBe(201);
      expect(
        (await post('/indexes/docs-check/vectors/upsert', { vectors: [{ id: 'a', values: [1, 0] }] })).status,
      ).toBe(200);
      const max = doc.components.schemas.PineconeQuery.properties.topK.maximum;
      expect((await post('/indexes/docs-check/query', { vector: [1, 0], topK: max })).status).toBe(200);
      expect((await post('/indexes/docs-check/query', { vector: [1, 0], topK: max + 1 })).status).toBe(400);
      expect((await post('/indexes/docs-check/query', { vector: [1, 0], topK: 0 })).status).toBe(400);
      expect((await post('/indexes/docs-check/query', { vector: [1, 0] })).status).toBe(400);
      const tooMany = Array.from(
        { length: doc.components.schemas.PineconeUpsert.properties.vectors.maxItems + 1 },
        (_, i) => ({ id: `v${i}`, values: [1, 0] }),
      );
      expect((await post('/indexes/docs-check/vectors/upsert', { vectors: tooMany })).status).toBe(400);
      const collection = await post('/api/v2/tenants/default_tenant/databases/default_database/collections', {
        name: 'docs-check-chroma',
      });
      expect(collection.status).toBe(200);
      const records = `/api/v2/tenants/default_tenant/databases/default_database/collections/${collection.body.id}`;
      const base64 = Buffer.from(new Float32Array([1, 0]).buffer).toString('base64');
      expect((await post(`${records}/add`, { ids: ['a', 'b'], embeddings: [[1, 0], base64] })).status).toBe(201);
      expect((await post(`${records}/query`, { query_embeddings: [base64], n_results: 1 })).status).toBe(200);
      expect((await post(`${records}/query`, { n_results: 1 })).status).toBe(422);
    });
  });

  describe('/docs', () => {
    it('serves the Swagger UI page', async () => {
      const res = await http(gateway.url, 'GET', '/docs');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toContain('<div id="swagger-ui"></div>');
      expect(res.text).toContain('swagger-ui-bundle.js');
    });

    it('loads every script and stylesheet from the gateway (swagger-ui-dist), none from a CDN', async () => {
      const res = await http(gateway.url, 'GET', '/docs');
      const assets = [...res.text.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) {
        expect(asset).not.toMatch(/^(https?:)?\/\//);
        const url = new URL(asset, `${gateway.url}/docs`);
        const got = await fetch(url);
        expect({ asset, status: got.status }).toEqual({ asset, status: 200 });
        await got.arrayBuffer();
      }
      const init = await http(gateway.url, 'GET', '/docs/swagger-ui-init.js');
      expect(init.status).toBe(200);
      expect(init.text).toMatch(/"title":\s*"vecgate"/);
      expect(init.text).toMatch(/"validatorUrl":\s*null/);
    });

    it('is outside every protocol (no error renderer claims /docs)', async () => {
      for (const renderer of [chromaErrorRenderer, pineconeErrorRenderer, vectorizerErrorRenderer]) {
        for (const path of ['/docs', '/docs/', '/docs-json', '/docs/swagger-ui.css', '/docs/swagger-ui-init.js'])
          expect({ renderer: renderer.name, path, matches: renderer.matches(path) }).toMatchObject({ matches: false });
      }
      // The protocols' own routes still answer in their shapes.
      const version = await http(gateway.url, 'GET', '/api/v2/version');
      expect(version.body).toBe('1.0.0');
      const missing = await http(gateway.url, 'GET', '/indexes/no-such-index');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    });
  });
});
