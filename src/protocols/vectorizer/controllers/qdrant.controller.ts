import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { Collection } from '../../../collections/collection.model';
import { AlreadyExistsError } from '../../../common/errors';
import { FilterNode } from '../../../filters/filter-ast';
import { StoredRecord } from '../../../records/record.model';
import { qdrantCollectionInfo } from '../collection.mapper';
import { parseDeleteFilter, parseVectorizerFilter } from '../filter.parser';
import { metricFromQdrant } from '../metric';
import { VectorizerHttpError } from '../vectorizer-error';
import { VectorizerService } from '../vectorizer.service';
import { vectorOf, denseVector } from '../vectors.mapper';

type Json = Record<string, unknown>;
const ACKNOWLEDGED = { status: 'acknowledged', operation_id: null };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Qdrant point ids are unsigned integers or strings; vecgate stores them as strings and shows numbers back as numbers. */
function pointId(id: unknown, field: string): string {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return String(id);
  if (typeof id === 'string' && id.length > 0) return id;
  throw new VectorizerHttpError(400, 'bad_request', `${field} must be an unsigned integer or a non-empty string`);
}

function wireId(id: string): string | number {
  return /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : id;
}

/** A dense vector, or a map holding exactly one named vector. */
function pointVector(v: unknown, field: string) {
  if (isObject(v)) {
    const named = Object.values(v);
    if (named.length !== 1)
      throw new VectorizerHttpError(
        400,
        'bad_request',
        `${field} must be an array or a map with exactly one named vector`,
      );
    v = named[0];
  }
  return denseVector(v, field);
}

function flag(v: unknown, fallback: boolean): boolean {
  return typeof v === 'boolean' ? v : fallback;
}

function point(r: StoredRecord, withVector: boolean, withPayload: boolean) {
  return {
    id: wireId(r.id),
    vector: withVector ? vectorOf(r) : null,
    payload: withPayload ? (r.metadata ?? null) : null,
  };
}

function filterOf(body: Json): FilterNode {
  return parseVectorizerFilter(body.filter);
}

/**
 * The Qdrant-compatible routes Vectorizer serves and its TypeScript SDK calls. Where Vectorizer
 * filters after its search (and so under-returns), ignores scroll and count filters, or answers
 * 405 to the SDK's GET retrieve, vecgate does what the request asks.
 */
@ApiTags('Vectorizer Qdrant-compatible')
@Controller('qdrant/collections')
export class VectorizerQdrantController {
  constructor(private readonly vectorizer: VectorizerService) {}

  private async collection(name: string): Promise<Collection> {
    try {
      return await this.vectorizer.get(name);
    } catch (err) {
      if (err instanceof VectorizerHttpError && err.status === 404) {
        throw new VectorizerHttpError(404, 'collection_not_found', `collection '${name}' not found`);
      }
      throw err;
    }
  }

  @ApiOperation({ summary: 'List collections' })
  @ApiResponse({
    status: 200,
    description: 'Collection infos',
    example: { collections: [{ name: 'my_collection', status: 'green' }] },
  })
  @Get()
  async list() {
    const infos = [];
    for (const c of await this.vectorizer.list()) infos.push(qdrantCollectionInfo(c, await this.vectorizer.count(c)));
    return { collections: infos };
  }

  @ApiOperation({ summary: 'Get a collection' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({
    status: 200,
    description: 'Collection info',
    example: {
      result: {
        name: 'my_collection',
        status: 'green',
        config: { vectors: { size: 3, distance: 'Cosine' } },
        stats: { points_count: 2 },
      },
    },
  })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Get(':name')
  async get(@Param('name') name: string) {
    const c = await this.collection(name);
    return { result: qdrantCollectionInfo(c, await this.vectorizer.count(c)) };
  }

  @ApiOperation({ summary: 'Create a collection' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantCreateCollection') } })
  @ApiResponse({ status: 200, description: 'Created', schema: { type: 'string', example: 'acknowledged' } })
  @ApiResponse({ status: 409, description: 'The name is taken' })
  @Put(':name')
  async create(@Param('name') name: string, @Body() body: Json) {
    const config = isObject(body.config) ? body.config : body;
    const vectors = config.vectors;
    if (!isObject(vectors) || typeof vectors.size !== 'number' || !Number.isInteger(vectors.size) || vectors.size < 1) {
      throw new VectorizerHttpError(400, 'bad_request', 'vectors.size must be a positive integer');
    }
    try {
      await this.vectorizer.create(name, vectors.size, metricFromQdrant(vectors.distance));
    } catch (err) {
      if (err instanceof AlreadyExistsError) {
        throw new VectorizerHttpError(409, 'collection_already_exists', `collection '${name}' already exists`);
      }
      throw err;
    }
    return 'acknowledged';
  }

  @ApiOperation({ summary: 'Delete a collection' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({ status: 200, description: 'Deleted', schema: { type: 'string', example: 'acknowledged' } })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Delete(':name')
  async delete(@Param('name') name: string) {
    await this.collection(name);
    await this.vectorizer.delete(name);
    return 'acknowledged';
  }

  /** Upsert: the whole batch is checked before anything is written. */
  @ApiOperation({ summary: 'Upsert points' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantUpsertPoints') } })
  @ApiResponse({ status: 200, description: 'Done', example: { status: 'acknowledged', operation_id: null } })
  @Put(':name/points')
  async upsert(@Param('name') name: string, @Body() body: Json) {
    const c = await this.collection(name);
    if (!Array.isArray(body.points)) throw new VectorizerHttpError(400, 'bad_request', 'points must be an array');
    const records = body.points.map((p, i) => {
      if (!isObject(p)) throw new VectorizerHttpError(400, 'bad_request', `points[${i}] must be an object`);
      const embedding = pointVector(p.vector, `points[${i}].vector`);
      if (c.dimension !== null && embedding.dimension !== c.dimension) {
        throw new VectorizerHttpError(
          400,
          'vector_dimension_mismatch',
          `Vector dimension mismatch: expected ${c.dimension}, got ${embedding.dimension}`,
        );
      }
      const payload = p.payload === undefined || p.payload === null ? null : p.payload;
      if (payload !== null && !isObject(payload))
        throw new VectorizerHttpError(400, 'bad_request', `points[${i}].payload must be an object`);
      return { id: pointId(p.id, `points[${i}].id`), embedding, metadata: payload as Json | null };
    });
    await this.vectorizer.insert(name, records, false);
    return ACKNOWLEDGED;
  }

  @ApiOperation({ summary: 'Search points' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantSearchPoints') } })
  @ApiResponse({
    status: 200,
    description: 'Matches, best first',
    example: { result: [{ id: 1, vector: null, payload: { city: 'Berlin' }, score: 0.98 }] },
  })
  @Post(':name/points/search')
  @HttpCode(200)
  async search(@Param('name') name: string, @Body() body: Json) {
    await this.collection(name);
    const limit = body.limit === undefined ? 10 : body.limit;
    const offset = body.offset === undefined ? 0 : body.offset;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0)
      throw new VectorizerHttpError(400, 'bad_request', 'limit must be a non-negative integer');
    if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0)
      throw new VectorizerHttpError(400, 'bad_request', 'offset must be a non-negative integer');
    const threshold = typeof body.score_threshold === 'number' ? body.score_threshold : undefined;
    const withVector = flag(body.with_vector, false);
    const withPayload = flag(body.with_payload, true);
    const { hits } = await this.vectorizer.search(name, {
      vector: body.vector,
      limit,
      offset,
      threshold,
      filter: filterOf(body),
      withVector,
      withPayload,
    });
    return {
      result: hits.map((h) => ({
        id: wireId(h.id),
        vector: withVector ? h.vector : null,
        payload: withPayload ? h.payload : null,
        score: h.score,
      })),
    };
  }

  @ApiOperation({ summary: 'Delete points by id or filter' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantDeletePoints') } })
  @ApiResponse({ status: 200, description: 'Done', example: { status: 'acknowledged', operation_id: null } })
  @Post(':name/points/delete')
  @HttpCode(200)
  async deletePoints(@Param('name') name: string, @Body() body: Json) {
    await this.collection(name);
    if (Array.isArray(body.points)) {
      const ids = body.points.map((id, i) => pointId(id, `points[${i}]`));
      await this.vectorizer.deleteWhere(name, { kind: 'idIn', ids });
    } else if (body.filter !== undefined) {
      await this.vectorizer.deleteWhere(name, parseDeleteFilter(body.filter));
    } else {
      throw new VectorizerHttpError(400, 'bad_request', 'points/delete takes points (ids) or a filter');
    }
    return ACKNOWLEDGED;
  }

  /** Pages in id order; `offset` is the id to start at and `next_page_offset` the first id of the next page. */
  @ApiOperation({ summary: 'Scroll points', description: 'Pages in id order' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantScrollPoints') }, required: false })
  @ApiResponse({
    status: 200,
    description: 'A page of points',
    example: { result: { points: [{ id: 1, vector: null, payload: { city: 'Berlin' } }], next_page_offset: null } },
  })
  @Post(':name/points/scroll')
  @HttpCode(200)
  async scroll(@Param('name') name: string, @Body() body: Json) {
    await this.collection(name);
    const limit = body.limit === undefined ? 10 : body.limit;
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
      throw new VectorizerHttpError(400, 'bad_request', 'limit must be a positive integer');
    const from = body.offset === undefined || body.offset === null ? null : pointId(body.offset, 'offset');
    const page = await this.vectorizer.scroll(name, filterOf(body), limit + 1, from);
    const points = page
      .slice(0, limit)
      .map((r) => point(r, flag(body.with_vector, false), flag(body.with_payload, true)));
    return { result: { points, next_page_offset: page.length > limit ? wireId(page[limit].id) : null } };
  }

  @ApiOperation({ summary: 'Count points' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantCountPoints') }, required: false })
  @ApiResponse({ status: 200, description: 'The count', example: { result: { count: 2 } } })
  @Post(':name/points/count')
  @HttpCode(200)
  async count(@Param('name') name: string, @Body() body: Json) {
    await this.collection(name);
    return { result: { count: await this.vectorizer.countMatching(name, filterOf(body ?? {})) } };
  }

  @ApiOperation({ summary: 'Retrieve points by id' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantRetrievePoints') } })
  @ApiResponse({
    status: 200,
    description: 'The points found',
    example: { result: [{ id: 1, vector: null, payload: { city: 'Berlin' } }] },
  })
  @Post(':name/points')
  @HttpCode(200)
  async retrieve(@Param('name') name: string, @Body() body: Json) {
    if (!Array.isArray(body.ids)) throw new VectorizerHttpError(400, 'bad_request', 'ids must be an array');
    return this.retrieveIds(name, body.ids, flag(body.with_vector, false), flag(body.with_payload, true));
  }

  /** The SDK's retrieve: `GET ...points?ids=a,b&with_payload=true&with_vector=false`. */
  @ApiOperation({ summary: 'Retrieve points by id (query string)', description: "The SDK's retrieve" })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiQuery({ name: 'ids', required: false, type: String, description: 'Comma-separated ids', example: '1,b' })
  @ApiQuery({
    name: 'with_payload',
    required: false,
    type: Boolean,
    description: 'Return payloads (default true; only "false" turns them off)',
  })
  @ApiQuery({
    name: 'with_vector',
    required: false,
    type: Boolean,
    description: 'Return vectors (default false; only "true" turns them on)',
  })
  @ApiResponse({
    status: 200,
    description: 'The points found',
    example: { result: [{ id: 1, vector: null, payload: { city: 'Berlin' } }] },
  })
  @Get(':name/points')
  retrieveByQuery(
    @Param('name') name: string,
    @Query('ids') ids?: string,
    @Query('with_payload') withPayload?: string,
    @Query('with_vector') withVector?: string,
  ) {
    return this.retrieveIds(
      name,
      (ids ?? '').split(',').filter(Boolean),
      withVector === 'true',
      withPayload !== 'false',
    );
  }

  private async retrieveIds(name: string, raw: unknown[], withVector: boolean, withPayload: boolean) {
    await this.collection(name);
    const ids = raw.map((id, i) => pointId(id, `ids[${i}]`));
    const found = await this.vectorizer.fetch(name, ids);
    return { result: found.map((r) => point(r, withVector, withPayload)) };
  }
}
