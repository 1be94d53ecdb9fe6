import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { checkAliasesVersion } from '../namespace-alias-names';
import { PineconeNamespaceAliasesService } from '../pinecone-namespace-aliases.service';

const ALIAS = {
  name: 'dataset',
  target_namespace: 'dataset_v1',
  created_at: '2026-09-01T12:00:00.000Z',
  updated_at: '2026-09-01T12:00:00.000Z',
};
const TOO_OLD = { status: 400, description: 'A reason in `details`; `API_VERSION_TOO_OLD` before API 2026-07' };

/**
 * Pinecone's namespace aliases (API 2026-07): another name for a namespace of the index, which
 * reads resolve to its target and writes never take. Older API versions are answered 400
 * `API_VERSION_TOO_OLD`, as Pinecone answers them.
 */
@ApiTags('Pinecone data plane')
@Controller('indexes/:index/namespace-aliases')
export class PineconeNamespaceAliasesController {
  constructor(private readonly aliases: PineconeNamespaceAliasesService) {}

  @ApiOperation({ summary: 'List namespace aliases', description: 'By name, in byte order; `limit` 1 to 100 a page.' })
  @ApiParam({ name: 'index', type: String, example: 'movies' })
  @ApiQuery({ name: 'limit', required: false, type: 'integer', minimum: 1, maximum: 100 })
  @ApiQuery({ name: 'paginationToken', required: false, type: String })
  @ApiQuery({ name: 'prefix', required: false, type: String })
  @ApiQuery({
    name: 'target_namespace',
    required: false,
    type: String,
    description: '`__default__` for the default namespace',
  })
  @ApiResponse({
    status: 200,
    description: 'A page of aliases',
    example: { namespace_aliases: [ALIAS], total_count: 1 },
  })
  @ApiResponse(TOO_OLD)
  @Get()
  list(
    @Param('index') index: string,
    @Query() query: Record<string, unknown>,
    @Headers('x-pinecone-api-version') apiVersion?: string,
  ) {
    checkAliasesVersion(apiVersion);
    return this.aliases.list(index, query);
  }

  @ApiOperation({
    summary: 'Create a namespace alias',
    description: 'Its target must be an existing namespace, not an alias.',
  })
  @ApiParam({ name: 'index', type: String, example: 'movies' })
  @ApiBody({
    schema: { type: 'object' },
    examples: { alias: { value: { name: 'dataset', target_namespace: 'dataset_v1' } } },
  })
  @ApiResponse({ status: 200, description: 'The alias', example: ALIAS })
  @ApiResponse({ status: 409, description: '`ALIAS_ALREADY_EXISTS` or `NAME_IN_USE_BY_NAMESPACE`' })
  @ApiResponse(TOO_OLD)
  @Post()
  @HttpCode(200)
  create(@Param('index') index: string, @Body() body: unknown, @Headers('x-pinecone-api-version') apiVersion?: string) {
    checkAliasesVersion(apiVersion);
    return this.aliases.create(index, body);
  }

  @ApiOperation({ summary: 'Describe a namespace alias' })
  @ApiParam({ name: 'index', type: String, example: 'movies' })
  @ApiParam({ name: 'alias', type: String, example: 'dataset' })
  @ApiResponse({ status: 200, description: 'The alias', example: ALIAS })
  @ApiResponse({ status: 404, description: 'No such alias' })
  @ApiResponse(TOO_OLD)
  @Get(':alias')
  describe(
    @Param('index') index: string,
    @Param('alias') alias: string,
    @Headers('x-pinecone-api-version') apiVersion?: string,
  ) {
    checkAliasesVersion(apiVersion);
    return this.aliases.describe(index, alias);
  }

  @ApiOperation({
    summary: 'Repoint a namespace alias',
    description: 'Its `updated_at` advances, to the same target too.',
  })
  @ApiParam({ name: 'index', type: String, example: 'movies' })
  @ApiParam({ name: 'alias', type: String, example: 'dataset' })
  @ApiBody({ schema: { type: 'object' }, examples: { repoint: { value: { target_namespace: 'dataset_v2' } } } })
  @ApiResponse({ status: 200, description: 'The alias', example: { ...ALIAS, target_namespace: 'dataset_v2' } })
  @ApiResponse({ status: 404, description: 'No such alias' })
  @ApiResponse(TOO_OLD)
  @Patch(':alias')
  repoint(
    @Param('index') index: string,
    @Param('alias') alias: string,
    @Body() body: unknown,
    @Headers('x-pinecone-api-version') apiVersion?: string,
  ) {
    checkAliasesVersion(apiVersion);
    return this.aliases.repoint(index, alias, body);
  }

  @ApiOperation({ summary: 'Delete a namespace alias', description: 'Its target and its records stay.' })
  @ApiParam({ name: 'index', type: String, example: 'movies' })
  @ApiParam({ name: 'alias', type: String, example: 'dataset' })
  @ApiResponse({ status: 200, description: 'Deleted', example: {} })
  @ApiResponse({ status: 404, description: 'No such alias' })
  @ApiResponse(TOO_OLD)
  @Delete(':alias')
  @HttpCode(200)
  delete(
    @Param('index') index: string,
    @Param('alias') alias: string,
    @Headers('x-pinecone-api-version') apiVersion?: string,
  ) {
    checkAliasesVersion(apiVersion);
    return this.aliases.delete(index, alias);
  }
}
