import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { NamespacesService } from '../../../records/namespaces.service';
import { CreateNamespaceDto } from '../dto/vectors.dto';
import { storedNamespace, wireNamespace } from '../index-names';
import { decodeToken, encodeToken, limitParam } from '../pagination-token';
import { PineconeIndexesService } from '../pinecone-indexes.service';

/** The namespaces API (2025-04 and later): namespaces appear on first upsert or by create. */
@ApiTags('Pinecone data plane')
@Controller('indexes/:index/namespaces')
export class PineconeNamespacesController {
  constructor(
    private readonly indexes: PineconeIndexesService,
    private readonly namespaces: NamespacesService,
  ) {}

  @ApiOperation({ summary: 'List namespaces' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiQuery({ name: 'prefix', required: false, type: String, description: 'Only namespaces starting with this' })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    description: 'Page size (default 100)',
  })
  @ApiQuery({
    name: 'paginationToken',
    required: false,
    type: String,
    description: '`pagination.next` of the previous page',
  })
  @ApiResponse({
    status: 200,
    description: 'A page of namespaces; `pagination` only when more follow',
    example: { namespaces: [{ name: 'catalog', record_count: 2 }], total_count: 1 },
  })
  @Get()
  async list(
    @Param('index') index: string,
    @Query('prefix') prefix?: string,
    @Query('limit') limit?: string,
    @Query('paginationToken') token?: string,
  ) {
    const collection = await this.indexes.get(index);
    const size = limitParam(limit, 100, 1000);
    const { page, total } = await this.namespaces.list(
      this.indexes.scope,
      collection.id,
      prefix ?? '',
      decodeToken(token),
      size + 1,
    );
    const shown = page.slice(0, size);
    return {
      namespaces: shown.map((n) => ({ name: wireNamespace(n.name), record_count: n.records })),
      ...(page.length > size ? { pagination: { next: encodeToken(shown[shown.length - 1].name) } } : {}),
      total_count: total,
    };
  }

  @ApiOperation({ summary: 'Create a namespace' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 201, description: 'The namespace', example: { name: 'catalog', record_count: 0 } })
  @ApiResponse({ status: 409, description: 'The namespace exists' })
  @Post()
  @HttpCode(201)
  async create(@Param('index') index: string, @Body() body: CreateNamespaceDto) {
    const collection = await this.indexes.get(index);
    const created = await this.namespaces.create(this.indexes.scope, collection.id, storedNamespace(body.name));
    return { name: wireNamespace(created.name), record_count: created.records };
  }

  @ApiOperation({ summary: 'Describe a namespace' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiParam({
    name: 'namespace',
    type: String,
    description: 'Namespace (__default__ for the default one)',
    example: 'catalog',
  })
  @ApiResponse({ status: 200, description: 'The namespace', example: { name: 'catalog', record_count: 2 } })
  @ApiResponse({ status: 404, description: 'No such namespace' })
  @Get(':namespace')
  async describe(@Param('index') index: string, @Param('namespace') namespace: string) {
    const collection = await this.indexes.get(index);
    const found = await this.namespaces.describe(this.indexes.scope, collection.id, storedNamespace(namespace));
    return { name: wireNamespace(found.name), record_count: found.records };
  }

  @ApiOperation({ summary: 'Delete a namespace and its records' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiParam({
    name: 'namespace',
    type: String,
    description: 'Namespace (__default__ for the default one)',
    example: 'catalog',
  })
  @ApiResponse({ status: 202, description: 'Deleted', example: {} })
  @ApiResponse({ status: 404, description: 'No such namespace' })
  @Delete(':namespace')
  @HttpCode(202)
  async delete(@Param('index') index: string, @Param('namespace') namespace: string) {
    const collection = await this.indexes.get(index);
    await this.namespaces.delete(this.indexes.scope, collection.id, storedNamespace(namespace));
    return {};
  }
}
