import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { CollectionsService, Scope } from '../../../collections/collections.service';
import { ChromaHttpError } from '../chroma-error';
import { validateCollectionId, validateCollectionName } from '../chroma-names';
import { configChanges, configFromCreate } from '../collection-config';
import { collectionToWire } from '../collection.mapper';
import { CreateCollectionDto, ForkCollectionDto, UpdateCollectionDto } from '../dto/collection.dto';
import { checkMetadata } from '../metadata';
import { pageOf } from '../pagination';
import { withDatabaseNotFound } from '../reword';

function collectionMetadata(field: string, value: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (value && Object.keys(value).length === 0) throw ChromaHttpError.invalidArgument(`Validation error: ${field}: Metadata cannot be empty`);
  return checkMetadata(field, value, false);
}

@Controller('api/v2/tenants/:tenant/databases/:database')
export class ChromaCollectionsController {
  constructor(private readonly collections: CollectionsService) {}

  @Get('collections')
  async list(@Param() scope: Scope, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    const page = pageOf(limit, offset);
    return (await this.collections.list(scope, page.limit, page.offset)).map(collectionToWire);
  }

  @Get('collections_count')
  count(@Param() scope: Scope) {
    return this.collections.count(scope);
  }

  @Post('collections')
  @HttpCode(200)
  async create(@Param() scope: Scope, @Body() body: CreateCollectionDto) {
    validateCollectionName(body.name);
    const metadata = collectionMetadata('metadata', body.metadata);
    const { metric, index, extras } = configFromCreate(body.configuration, metadata);
    const spec = { name: body.name, metric, index, metadata, extras, schema: body.schema ?? null };
    const created = await withDatabaseNotFound(this.collections.create(scope, spec, body.get_or_create === true), (name) =>
      ChromaHttpError.invalidArgument(`Database [${name}] does not exist`),
    );
    return collectionToWire(created);
  }

  /** The 3.x client's getCollectionById (not in Chroma 1.0.0). */
  @Get('collections/by-id/:id')
  async getById(@Param() scope: Scope, @Param('id') id: string) {
    return collectionToWire(await this.collections.getById(scope, validateCollectionId(id)));
  }

  /** By name: Chroma treats even a uuid here as a name. */
  @Get('collections/:name')
  async getByName(@Param() scope: Scope, @Param('name') name: string) {
    return collectionToWire(await this.collections.getByName(scope, name));
  }

  /** By id: rename, replace metadata, change search settings. */
  @Put('collections/:id')
  async modify(@Param() scope: Scope, @Param('id') rawId: string, @Body() body: UpdateCollectionDto) {
    const id = validateCollectionId(rawId);
    if (typeof body.new_name === 'string') validateCollectionName(body.new_name);
    const metadata = body.new_metadata === undefined || body.new_metadata === null ? undefined : collectionMetadata('new_metadata', body.new_metadata);
    const collection = await this.collections.getById(scope, id);
    const config = configChanges(body.new_configuration, collection);
    await this.collections.modify(scope, id, { name: body.new_name ?? undefined, metadata, index: config?.index, extras: config?.extras });
    return {};
  }

  @Delete('collections/:name')
  async delete(@Param() scope: Scope, @Param('name') name: string) {
    await this.collections.deleteByName(scope, name);
    return {};
  }

  @Get('collections/:id/fork_count')
  async forkCount(@Param() scope: Scope, @Param('id') rawId: string) {
    return { count: await this.collections.forkCount(scope, validateCollectionId(rawId)) };
  }

  @Post('collections/:id/fork')
  @HttpCode(200)
  async fork(@Param() scope: Scope, @Param('id') rawId: string, @Body() body: ForkCollectionDto) {
    const id = validateCollectionId(rawId);
    validateCollectionName(body.new_name);
    return collectionToWire(await this.collections.fork(scope, id, body.new_name));
  }
}
