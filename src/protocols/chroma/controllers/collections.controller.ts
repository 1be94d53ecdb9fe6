import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Scope } from '../../../core/scope';
import { ChromaCollectionsService } from '../chroma-collections.service';
import { CreateCollectionDto, ForkCollectionDto, UpdateCollectionDto } from '../dto/collection.dto';

@ApiTags('Chroma')
@Controller('api/v2/tenants/:tenant/databases/:database')
export class ChromaCollectionsController {
  constructor(private readonly chroma: ChromaCollectionsService) {}

  @ApiOperation({ summary: 'List collections', description: 'In creation order' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: 'integer',
    minimum: 0,
    description: 'At most this many (no limit when absent)',
  })
  @ApiQuery({ name: 'offset', required: false, type: 'integer', minimum: 0, description: 'Skip this many' })
  @ApiResponse({
    status: 200,
    description: 'The collections',
    schema: { type: 'array', items: { $ref: getSchemaPath('ChromaCollection') } },
  })
  @Get('collections')
  list(@Param() scope: Scope, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    return this.chroma.list(scope, limit, offset);
  }

  @ApiOperation({ summary: 'Count collections' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiResponse({ status: 200, description: 'The number of collections', schema: { type: 'integer', example: 3 } })
  @Get('collections_count')
  count(@Param() scope: Scope) {
    return this.chroma.count(scope);
  }

  @ApiOperation({ summary: 'Create a collection (or get it, with get_or_create)' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiResponse({ status: 200, description: 'The collection', schema: { $ref: getSchemaPath('ChromaCollection') } })
  @ApiResponse({ status: 409, description: 'A collection of that name exists (without get_or_create)' })
  @Post('collections')
  @HttpCode(200)
  create(@Param() scope: Scope, @Body() body: CreateCollectionDto) {
    return this.chroma.create(scope, body);
  }

  /** The 3.x client's getCollectionById (not in Chroma 1.0.0). */
  @ApiOperation({ summary: 'Get a collection by id', description: "The 3.x client's getCollectionById" })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'id', type: String, description: 'Collection id (a UUID)', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The collection', schema: { $ref: getSchemaPath('ChromaCollection') } })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Get('collections/by-id/:id')
  getById(@Param() scope: Scope, @Param('id') id: string) {
    return this.chroma.getById(scope, id);
  }

  /** By name: Chroma treats even a uuid here as a name. */
  @ApiOperation({ summary: 'Get a collection by name', description: 'Even a UUID is read as a name here' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name' })
  @ApiResponse({ status: 200, description: 'The collection', schema: { $ref: getSchemaPath('ChromaCollection') } })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Get('collections/:name')
  getByName(@Param() scope: Scope, @Param('name') name: string) {
    return this.chroma.getByName(scope, name);
  }

  /** By id: rename, replace metadata, change search settings. */
  @ApiOperation({
    summary: 'Modify a collection (by id)',
    description: 'Rename, replace metadata, change search settings',
  })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'id', type: String, description: 'Collection id (a UUID)', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'Modified', example: {} })
  @ApiResponse({ status: 409, description: 'The new name is taken' })
  @Put('collections/:id')
  modify(@Param() scope: Scope, @Param('id') rawId: string, @Body() body: UpdateCollectionDto) {
    return this.chroma.modify(scope, rawId, body);
  }

  @ApiOperation({ summary: 'Delete a collection (by name)' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name' })
  @ApiResponse({ status: 200, description: 'Deleted', example: {} })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Delete('collections/:name')
  delete(@Param() scope: Scope, @Param('name') name: string) {
    return this.chroma.delete(scope, name);
  }

  @ApiOperation({ summary: 'Count the forks of a collection' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'id', type: String, description: 'Collection id (a UUID)', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The number of forks', example: { count: 0 } })
  @Get('collections/:id/fork_count')
  forkCount(@Param() scope: Scope, @Param('id') rawId: string) {
    return this.chroma.forkCount(scope, rawId);
  }

  @ApiOperation({
    summary: 'Fork a collection',
    description: 'Copies the collection, its configuration and records under a new name',
  })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'id', type: String, description: 'Collection id (a UUID)', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The copy', schema: { $ref: getSchemaPath('ChromaCollection') } })
  @ApiResponse({ status: 409, description: 'The new name is taken' })
  @Post('collections/:id/fork')
  @HttpCode(200)
  fork(@Param() scope: Scope, @Param('id') rawId: string, @Body() body: ForkCollectionDto) {
    return this.chroma.fork(scope, rawId, body);
  }
}
