import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { CollectionsService, Scope } from '../../../collections/collections.service';
import { ChromaHttpError } from '../chroma-error';
import { validateCollectionId, validateCollectionName } from '../chroma-names';
import { configChanges, configFromCreate } from '../collection-config';
import { collectionToWire } from '../collection.mapper';
import { CreateCollectionDto, ForkCollectionDto, UpdateCollectionDto } from '../dto/collection.dto';
import { checkMetadata } from '../metadata';
import { pageOf } from '../pagination';
import { withDatabaseNotFound } from '../reword';

function collectionMetadata(
  field: string,
  value: Record<string, unknown> | null | undefined,
): Record<string, unknown> | null {
  if (value && Object.keys(value).length === 0)
    throw ChromaHttpError.invalidArgument(`Validation error: ${field}: Metadata cannot be empty`);
  return checkMetadata(field, value, false);
}

@ApiTags('Chroma')
@Controller('api/v2/tenants/:tenant/databases/:database')
export class ChromaCollectionsController {
  constructor(private readonly collections: CollectionsService) {}

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
  async list(@Param() scope: Scope, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    const page = pageOf(limit, offset);
    return (await this.collections.list(scope, page.limit, page.offset)).map(collectionToWire);
  }

  @ApiOperation({ summary: 'Count collections' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiResponse({ status: 200, description: 'The number of collections', schema: { type: 'integer', example: 3 } })
  @Get('collections_count')
  count(@Param() scope: Scope) {
    return this.collections.count(scope);
  }

  @ApiOperation({ summary: 'Create a collection (or get it, with get_or_create)' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiResponse({ status: 200, description: 'The collection', schema: { $ref: getSchemaPath('ChromaCollection') } })
  @ApiResponse({ status: 409, description: 'A collection of that name exists (without get_or_create)' })
  @Post('collections')
  @HttpCode(200)
  async create(@Param() scope: Scope, @Body() body: CreateCollectionDto) {
    validateCollectionName(body.name);
    const metadata = collectionMetadata('metadata', body.metadata);
    const { metric, index, extras } = configFromCreate(body.configuration, metadata);
    const spec = { name: body.name, metric, index, metadata, extras, schema: body.schema ?? null };
    const created = await withDatabaseNotFound(
      this.collections.create(scope, spec, body.get_or_create === true),
      (name) => ChromaHttpError.invalidArgument(`Database [${name}] does not exist`),
    );
    return collectionToWire(created);
  }

  /** The 3.x client's getCollectionById (not in Chroma 1.0.0). */
  @ApiOperation({ summary: 'Get a collection by id', description: "The 3.x client's getCollectionById" })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'id', type: String, description: 'Collection id (a UUID)', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The collection', schema: { $ref: getSchemaPath('ChromaCollection') } })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Get('collections/by-id/:id')
  async getById(@Param() scope: Scope, @Param('id') id: string) {
    return collectionToWire(await this.collections.getById(scope, validateCollectionId(id)));
  }

  /** By name: Chroma treats even a uuid here as a name. */
  @ApiOperation({ summary: 'Get a collection by name', description: 'Even a UUID is read as a name here' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name' })
  @ApiResponse({ status: 200, description: 'The collection', schema: { $ref: getSchemaPath('ChromaCollection') } })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Get('collections/:name')
  async getByName(@Param() scope: Scope, @Param('name') name: string) {
    return collectionToWire(await this.collections.getByName(scope, name));
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
  async modify(@Param() scope: Scope, @Param('id') rawId: string, @Body() body: UpdateCollectionDto) {
    const id = validateCollectionId(rawId);
    if (typeof body.new_name === 'string') validateCollectionName(body.new_name);
    const metadata =
      body.new_metadata === undefined || body.new_metadata === null
        ? undefined
        : collectionMetadata('new_metadata', body.new_metadata);
    const collection = await this.collections.getById(scope, id);
    const config = configChanges(body.new_configuration, collection);
    await this.collections.modify(scope, id, {
      name: body.new_name ?? undefined,
      metadata,
      index: config?.index,
      extras: config?.extras,
    });
    return {};
  }

  @ApiOperation({ summary: 'Delete a collection (by name)' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'name', type: String, description: 'Collection name' })
  @ApiResponse({ status: 200, description: 'Deleted', example: {} })
  @ApiResponse({ status: 404, description: 'No such collection' })
  @Delete('collections/:name')
  async delete(@Param() scope: Scope, @Param('name') name: string) {
    await this.collections.deleteByName(scope, name);
    return {};
  }

  @ApiOperation({ summary: 'Count the forks of a collection' })
  @ApiParam({ name: 'tenant', type: String, description: 'Tenant name', example: 'default_tenant' })
  @ApiParam({ name: 'database', type: String, description: 'Database name', example: 'default_database' })
  @ApiParam({ name: 'id', type: String, description: 'Collection id (a UUID)', format: 'uuid' })
  @ApiResponse({ status: 200, description: 'The number of forks', example: { count: 0 } })
  @Get('collections/:id/fork_count')
  async forkCount(@Param() scope: Scope, @Param('id') rawId: string) {
    return { count: await this.collections.forkCount(scope, validateCollectionId(rawId)) };
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
  async fork(@Param() scope: Scope, @Param('id') rawId: string, @Body() body: ForkCollectionDto) {
    const id = validateCollectionId(rawId);
    validateCollectionName(body.new_name);
    return collectionToWire(await this.collections.fork(scope, id, body.new_name));
  }
}
