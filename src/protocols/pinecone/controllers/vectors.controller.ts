import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { DeleteDto, DescribeIndexStatsDto, FetchByMetadataDto, MAX_BATCH, QueryDto, UpdateDto, UpsertDto } from '../dto/vectors.dto';
import { pineconeMetric, pineconeExtras } from '../index-spec';
import { storedNamespace, wireNamespace } from '../index-names';
import { decodeToken, encodeToken, limitParam } from '../pagination-token';
import { PineconeDataError } from '../pinecone-error';
import { PineconeVectorsService } from '../pinecone-vectors.service';

const USAGE = { readUnits: 1 };

function idsParam(raw: unknown): string[] {
  const ids = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (ids.length === 0) throw PineconeDataError.invalid('fetch needs at least one id');
  if (ids.length > MAX_BATCH) throw PineconeDataError.invalid(`fetch takes at most ${MAX_BATCH} ids, got ${ids.length}`);
  if (!ids.every((id) => typeof id === 'string')) throw PineconeDataError.invalid('ids must be strings');
  return ids as string[];
}

/** An index's data plane, under its host `/indexes/{index}`. */
@Controller('indexes/:index')
export class PineconeVectorsController {
  constructor(private readonly vectors: PineconeVectorsService) {}

  @Post('vectors/upsert')
  @HttpCode(200)
  async upsert(@Param('index') index: string, @Body() body: UpsertDto) {
    return { upsertedCount: await this.vectors.upsert(index, storedNamespace(body.namespace), body.vectors) };
  }

  @Post('query')
  @HttpCode(200)
  async query(@Param('index') index: string, @Body() body: QueryDto) {
    const { matches } = await this.vectors.query(index, storedNamespace(body.namespace), body);
    return { matches, namespace: wireNamespace(storedNamespace(body.namespace)), usage: USAGE };
  }

  @Get('vectors/fetch')
  async fetch(@Param('index') index: string, @Query('ids') ids: unknown, @Query('namespace') namespace?: string) {
    const ns = storedNamespace(namespace);
    return { vectors: await this.vectors.fetch(index, ns, idsParam(ids)), namespace: wireNamespace(ns), usage: USAGE };
  }

  @Post('vectors/fetch_by_metadata')
  @HttpCode(200)
  async fetchByMetadata(@Param('index') index: string, @Body() body: FetchByMetadataDto) {
    const ns = storedNamespace(body.namespace);
    const { vectors, next } = await this.vectors.fetchByMetadata(index, ns, body.filter, body.limit ?? 100, decodeToken(body.paginationToken));
    return { vectors, namespace: wireNamespace(ns), usage: USAGE, ...(next !== null ? { pagination: { next: encodeToken(next) } } : {}) };
  }

  /** Ids in byte order; `pagination` is left out on the last page. */
  @Get('vectors/list')
  async list(
    @Param('index') index: string,
    @Query('prefix') prefix?: string,
    @Query('limit') limit?: string,
    @Query('paginationToken') token?: string,
    @Query('namespace') namespace?: string,
  ) {
    const ns = storedNamespace(namespace);
    const page = await this.vectors.list(index, ns, prefix ?? '', limitParam(limit, 100, 1000), decodeToken(token));
    return { vectors: page.ids.map((id) => ({ id })), namespace: wireNamespace(ns), usage: USAGE, ...(page.next !== null ? { pagination: { next: encodeToken(page.next) } } : {}) };
  }

  @Post('vectors/update')
  @HttpCode(200)
  async update(@Param('index') index: string, @Body() body: UpdateDto) {
    return { matchedRecords: await this.vectors.update(index, storedNamespace(body.namespace), body) };
  }

  @Post('vectors/delete')
  @HttpCode(200)
  async delete(@Param('index') index: string, @Body() body: DeleteDto) {
    await this.vectors.delete(index, storedNamespace(body.namespace), body);
    return {};
  }

  @Post('describe_index_stats')
  @HttpCode(200)
  statsPost(@Param('index') index: string, @Body() body: DescribeIndexStatsDto) {
    return this.stats(index, body.filter);
  }

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
