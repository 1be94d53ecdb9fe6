import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  DeleteDto,
  DescribeIndexStatsDto,
  FetchByMetadataDto,
  MAX_BATCH,
  QueryDto,
  UpdateDto,
  UpsertDto,
} from '../dto/vectors.dto';
import { pineconeMetric, pineconeExtras } from '../index-spec';
import { storedNamespace, wireNamespace } from '../index-names';
import { decodeToken, encodeToken, limitParam } from '../pagination-token';
import { PineconeDataError } from '../pinecone-error';
import { PineconeVectorsService } from '../pinecone-vectors.service';
import { PineconeApiVersionGuard } from '../api-version.guard';

const USAGE = { readUnits: 1 };

function idsParam(raw: unknown): string[] {
  const ids = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (ids.length === 0) throw PineconeDataError.invalid('fetch needs at least one id');
  if (ids.length > MAX_BATCH)
    throw PineconeDataError.invalid(`fetch takes at most ${MAX_BATCH} ids, got ${ids.length}`);
  if (!ids.every((id) => typeof id === 'string')) throw PineconeDataError.invalid('ids must be strings');
  return ids as string[];
}

/** An index's data plane, under its host `/indexes/{index}`. */
@ApiTags('Pinecone data plane')
@UseGuards(PineconeApiVersionGuard)
@Controller('indexes/:index')
export class PineconeVectorsController {
  constructor(private readonly vectors: PineconeVectorsService) {}

  @ApiOperation({ summary: 'Upsert vectors' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 200, description: 'The number of vectors written', example: { upsertedCount: 2 } })
  @Post('vectors/upsert')
  @HttpCode(200)
  async upsert(@Param('index') index: string, @Body() body: UpsertDto) {
    return { upsertedCount: await this.vectors.upsert(index, storedNamespace(body.namespace), body.vectors) };
  }

  @ApiOperation({
    summary: 'Query the nearest vectors',
    description: 'Scores: cosine similarity, the dot product, or the squared euclidean distance (ascending)',
  })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({
    status: 200,
    description: 'The matches, best first',
    example: {
      matches: [{ id: 'm1', score: 0.99, values: [], metadata: { genre: ['drama', 'crime'], year: 1994 } }],
      namespace: 'catalog',
      usage: { readUnits: 1 },
    },
  })
  @Post('query')
  @HttpCode(200)
  async query(@Param('index') index: string, @Body() body: QueryDto) {
    const { matches, namespace } = await this.vectors.query(index, storedNamespace(body.namespace), body);
    return { matches, namespace: wireNamespace(namespace), usage: USAGE };
  }

  @ApiOperation({ summary: 'Fetch vectors by id' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiQuery({
    name: 'ids',
    required: true,
    type: String,
    isArray: true,
    description: '1 to 1000 ids, the key repeated (`?ids=a&ids=b`)',
  })
  @ApiQuery({ name: 'namespace', required: false, type: String, description: 'Namespace (default: the default one)' })
  @ApiResponse({
    status: 200,
    description: 'The vectors found, by id',
    example: {
      vectors: { m1: { id: 'm1', values: [0.1, 0.2, 0.3], metadata: { year: 1994 } } },
      namespace: 'catalog',
      usage: { readUnits: 1 },
    },
  })
  @Get('vectors/fetch')
  async fetch(@Param('index') index: string, @Query('ids') ids: unknown, @Query('namespace') namespace?: string) {
    const found = await this.vectors.fetch(index, storedNamespace(namespace), idsParam(ids));
    return { vectors: found.vectors, namespace: wireNamespace(found.namespace), usage: USAGE };
  }

  @ApiOperation({ summary: 'Fetch vectors by metadata filter' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({
    status: 200,
    description: 'A page of vectors by id; `pagination` only when more follow',
    example: {
      vectors: { m1: { id: 'm1', values: [0.1, 0.2, 0.3], metadata: { year: 1994 } } },
      namespace: 'catalog',
      usage: { readUnits: 1 },
    },
  })
  @Post('vectors/fetch_by_metadata')
  @HttpCode(200)
  async fetchByMetadata(@Param('index') index: string, @Body() body: FetchByMetadataDto) {
    const { vectors, next, namespace } = await this.vectors.fetchByMetadata(
      index,
      storedNamespace(body.namespace),
      body.filter,
      body.limit ?? 100,
      decodeToken(body.paginationToken),
    );
    return {
      vectors,
      namespace: wireNamespace(namespace),
      usage: USAGE,
      ...(next !== null ? { pagination: { next: encodeToken(next) } } : {}),
    };
  }

  /** Ids in byte order; `pagination` is left out on the last page. */
  @ApiOperation({ summary: 'List vector ids', description: 'In byte order of the ids' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiQuery({ name: 'prefix', required: false, type: String, description: 'Only ids starting with this' })
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
  @ApiQuery({ name: 'namespace', required: false, type: String, description: 'Namespace (default: the default one)' })
  @ApiResponse({
    status: 200,
    description: 'A page of ids; `pagination` only when more follow',
    example: {
      vectors: [{ id: 'm1' }, { id: 'm2' }],
      namespace: 'catalog',
      usage: { readUnits: 1 },
      pagination: { next: 'bTI' },
    },
  })
  @Get('vectors/list')
  async list(
    @Param('index') index: string,
    @Query('prefix') prefix?: string,
    @Query('limit') limit?: string,
    @Query('paginationToken') token?: string,
    @Query('namespace') namespace?: string,
  ) {
    const page = await this.vectors.list(
      index,
      storedNamespace(namespace),
      prefix ?? '',
      limitParam(limit, 100, 1000),
      decodeToken(token),
    );
    return {
      vectors: page.ids.map((id) => ({ id })),
      namespace: wireNamespace(page.namespace),
      usage: USAGE,
      ...(page.next !== null ? { pagination: { next: encodeToken(page.next) } } : {}),
    };
  }

  @ApiOperation({ summary: 'Update vectors by id or by filter' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 200, description: 'The number of records matched', example: { matchedRecords: 1 } })
  @Post('vectors/update')
  @HttpCode(200)
  async update(@Param('index') index: string, @Body() body: UpdateDto) {
    return { matchedRecords: await this.vectors.update(index, storedNamespace(body.namespace), body) };
  }

  @ApiOperation({ summary: 'Delete vectors by ids, by filter, or all' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 200, description: 'Deleted', example: {} })
  @Post('vectors/delete')
  @HttpCode(200)
  async delete(@Param('index') index: string, @Body() body: DeleteDto) {
    await this.vectors.delete(index, storedNamespace(body.namespace), body);
    return {};
  }

  @ApiOperation({ summary: 'Describe index statistics (optionally filtered)' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({
    status: 200,
    description: 'Counts per namespace',
    example: {
      namespaces: { catalog: { vectorCount: 2 } },
      indexFullness: 0,
      totalVectorCount: 2,
      metric: 'cosine',
      vectorType: 'dense',
      dimension: 3,
    },
  })
  @Post('describe_index_stats')
  @HttpCode(200)
  statsPost(@Param('index') index: string, @Body() body: DescribeIndexStatsDto) {
    return this.stats(index, body.filter);
  }

  @ApiOperation({ summary: 'Describe index statistics' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({
    status: 200,
    description: 'Counts per namespace',
    example: {
      namespaces: { catalog: { vectorCount: 2 } },
      indexFullness: 0,
      totalVectorCount: 2,
      metric: 'cosine',
      vectorType: 'dense',
      dimension: 3,
    },
  })
  @Get('describe_index_stats')
  statsGet(@Param('index') index: string) {
    return this.stats(index, undefined);
  }

  private async stats(index: string, filter: Record<string, unknown> | undefined) {
    const { collection, namespaces } = await this.vectors.stats(index, filter);
    const extras = pineconeExtras(collection);
    const result: Record<string, unknown> = {
      namespaces: Object.fromEntries(namespaces.map((n) => [wireNamespace(n.name), { vectorCount: n.records }])),
      indexFullness: 0,
      totalVectorCount: namespaces.reduce((sum, n) => sum + n.records, 0),
      metric: pineconeMetric(collection.metric),
      vectorType: extras.vector_type,
    };
    if (extras.vector_type === 'dense') result.dimension = collection.dimension ?? 0;
    return result;
  }
}
