import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Headers, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateNamespaceDto } from '../dto/vectors.dto';
import { PineconeNamespacesService } from '../pinecone-namespaces.service';
import { PineconeApiVersionGuard } from '../api-version.guard';

/** The namespaces API (2025-04 and later): namespaces appear on first upsert or by create. */
@ApiTags('Pinecone data plane')
@UseGuards(PineconeApiVersionGuard)
@Controller('indexes/:index/namespaces')
export class PineconeNamespacesController {
  constructor(private readonly pinecone: PineconeNamespacesService) {}

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
  list(
    @Param('index') index: string,
    @Query('prefix') prefix?: string,
    @Query('limit') limit?: string,
    @Query('paginationToken') token?: string,
    @Headers('x-pinecone-api-version') apiVersion?: string,
  ) {
    return this.pinecone.list(index, prefix, limit, token, apiVersion);
  }

  @ApiOperation({ summary: 'Create a namespace' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 200, description: 'The namespace', example: { name: 'catalog', record_count: 0 } })
  @ApiResponse({ status: 409, description: 'The namespace exists' })
  @Post()
  @HttpCode(200)
  create(
    @Param('index') index: string,
    @Body() body: CreateNamespaceDto,
    @Headers('x-pinecone-api-version') apiVersion?: string,
  ) {
    return this.pinecone.create(index, body.name, body.schema, apiVersion);
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
  describe(
    @Param('index') index: string,
    @Param('namespace') namespace: string,
    @Headers('x-pinecone-api-version') apiVersion?: string,
  ) {
    return this.pinecone.describe(index, namespace, apiVersion);
  }

  @ApiOperation({ summary: 'Delete a namespace and its records' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiParam({
    name: 'namespace',
    type: String,
    description: 'Namespace (__default__ for the default one)',
    example: 'catalog',
  })
  @ApiResponse({ status: 200, description: 'Deleted', example: {} })
  @ApiResponse({ status: 404, description: 'No such namespace' })
  @Delete(':namespace')
  @HttpCode(200)
  delete(@Param('index') index: string, @Param('namespace') namespace: string) {
    return this.pinecone.delete(index, namespace);
  }
}
