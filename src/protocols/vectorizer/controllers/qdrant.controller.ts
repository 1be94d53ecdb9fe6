import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { VectorizerQdrantService, type Json } from '../vectorizer-qdrant.service';

/**
 * The Qdrant-compatible routes Vectorizer serves and its TypeScript SDK calls. Where Vectorizer
 * filters after its search (and so under-returns), ignores scroll and count filters, or answers
 * 405 to the SDK's GET retrieve, vecgate does what the request asks.
 */
@ApiTags('Vectorizer Qdrant-compatible')
@Controller('qdrant/collections')
export class VectorizerQdrantController {
  constructor(private readonly qdrant: VectorizerQdrantService) {}

  @ApiOperation({ summary: 'List collections' })
  @ApiResponse({
    status: 200,
    description: 'Collection infos',
    example: { collections: [{ name: 'my_collection', status: 'green' }] },
  })
  @Get()
  list() {
    return this.qdrant.list();
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
  get(@Param('name') name: string) {
    return this.qdrant.get(name);
  }

  @ApiOperation({ summary: 'Create a collection' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantCreateCollection') } })
  @ApiResponse({ status: 200, description: 'Created', schema: { type: 'string', example: 'acknowledged' } })
  @ApiResponse({ status: 409, description: 'The name is taken' })
  @Put(':name')
  create(@Param('name') name: string, @Body() body: Json) {
    return this.qdrant.create(name, body);
  }

  @ApiOperation({ summary: 'Delete a collection' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({ status: 200, description: 'Deleted', schema: { type: 'string', example: 'acknowledged' } })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Delete(':name')
  delete(@Param('name') name: string) {
    return this.qdrant.delete(name);
  }

  /** Upsert: the whole batch is checked before anything is written. */
  @ApiOperation({ summary: 'Upsert points' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantUpsertPoints') } })
  @ApiResponse({ status: 200, description: 'Done', example: { status: 'acknowledged', operation_id: null } })
  @Put(':name/points')
  upsert(@Param('name') name: string, @Body() body: Json) {
    return this.qdrant.upsert(name, body);
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
  search(@Param('name') name: string, @Body() body: Json) {
    return this.qdrant.search(name, body);
  }

  @ApiOperation({ summary: 'Delete points by id or filter' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantDeletePoints') } })
  @ApiResponse({ status: 200, description: 'Done', example: { status: 'acknowledged', operation_id: null } })
  @Post(':name/points/delete')
  @HttpCode(200)
  deletePoints(@Param('name') name: string, @Body() body: Json) {
    return this.qdrant.deletePoints(name, body);
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
  scroll(@Param('name') name: string, @Body() body: Json) {
    return this.qdrant.scroll(name, body);
  }

  @ApiOperation({ summary: 'Count points' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiBody({ schema: { $ref: getSchemaPath('QdrantCountPoints') }, required: false })
  @ApiResponse({ status: 200, description: 'The count', example: { result: { count: 2 } } })
  @Post(':name/points/count')
  @HttpCode(200)
  count(@Param('name') name: string, @Body() body: Json) {
    return this.qdrant.count(name, body);
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
  retrieve(@Param('name') name: string, @Body() body: Json) {
    return this.qdrant.retrieve(name, body);
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
    return this.qdrant.retrieveByQuery(name, ids, withPayload, withVector);
  }
}
