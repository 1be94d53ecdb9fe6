import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Scope } from '../../../collections/collections.service';
import { WriteMode } from '../../../records/record.model';
import { IndexBuilder } from '../../../indexing/index-builder';
import { RecordsService } from '../../../records/records.service';
import { ChromaHttpError } from '../chroma-error';
import { validateCollectionId } from '../chroma-names';
import { DeleteRecordsDto, GetRecordsDto, QueryRecordsDto, RecordSetDto } from '../dto/records.dto';
import {
  DEFAULT_GET_INCLUDE,
  DEFAULT_QUERY_INCLUDE,
  filterFrom,
  getResponse,
  parseInclude,
  queryResponse,
  queryVectors,
  recordsFromPayload,
} from '../records.mapper';

@ApiTags('Chroma')
@Controller('api/v2/tenants/:tenant/databases/:database/collections/:id')
export class ChromaRecordsController {
  constructor(
    private readonly records: RecordsService,
    private readonly indexing: IndexBuilder,
  ) {}

  private async write(scope: Scope, id: string, body: RecordSetDto, mode: WriteMode) {
    const collectionId = validateCollectionId(id);
    await this.records.write(scope, collectionId, mode, recordsFromPayload(body, mode));
    return {};
  }

  @ApiOperation({ summary: 'Add records', description: 'Ids already in the collection are an error' })
  @ApiResponse({ status: 201, description: 'Added', example: {} })
  @Post('add')
  @HttpCode(201)
  add(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: RecordSetDto,
  ) {
    return this.write({ tenant, database }, id, body, 'add');
  }

  @ApiOperation({ summary: 'Upsert records', description: 'Inserts new ids; updates existing ones (metadata merged)' })
  @ApiResponse({ status: 200, description: 'Upserted', example: {} })
  @Post('upsert')
  @HttpCode(200)
  upsert(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: RecordSetDto,
  ) {
    return this.write({ tenant, database }, id, body, 'merge');
  }

  @ApiOperation({
    summary: 'Update records',
    description: 'Changes the columns given of existing ids (metadata merged)',
  })
  @ApiResponse({ status: 200, description: 'Updated', example: {} })
  @Post('update')
  @HttpCode(200)
  update(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: RecordSetDto,
  ) {
    return this.write({ tenant, database }, id, body, 'update');
  }

  @ApiOperation({ summary: 'Get records' })
  @ApiResponse({
    status: 200,
    description: 'Column arrays; a column not included is null',
    example: {
      ids: ['a'],
      embeddings: null,
      documents: ['hello world'],
      uris: null,
      metadatas: [{ lang: 'en', year: 2024 }],
      include: ['documents', 'metadatas'],
    },
  })
  @Post('get')
  @HttpCode(200)
  async get(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: GetRecordsDto,
  ) {
    const collectionId = validateCollectionId(id);
    const filter = filterFrom(body);
    const { wire, include } = parseInclude(body.include, DEFAULT_GET_INCLUDE);
    const found = await this.records.find({ tenant, database }, collectionId, {
      filter,
      include,
      limit: body.limit ?? null,
      offset: body.offset ?? 0,
    });
    return getResponse(found, wire, include);
  }

  @ApiOperation({
    summary: 'Query the nearest records',
    description: 'Distances: squared L2, 1 - cos for cosine, 1 - dot for ip',
  })
  @ApiResponse({
    status: 200,
    description: 'One list per query embedding in each column; a column not included is null',
    example: {
      ids: [['a', 'b']],
      embeddings: null,
      documents: [['hello world', 'goodbye']],
      uris: null,
      metadatas: [[{ lang: 'en' }, { lang: 'en' }]],
      distances: [[0.0012, 0.071]],
      include: ['documents', 'metadatas', 'distances'],
    },
  })
  @Post('query')
  @HttpCode(200)
  async query(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: QueryRecordsDto,
  ) {
    const collectionId = validateCollectionId(id);
    const vectors = queryVectors(body.query_embeddings);
    const filter = filterFrom(body);
    const { wire, include } = parseInclude(body.include, DEFAULT_QUERY_INCLUDE);
    const n = body.n_results ?? 10;
    const { collection, lists } = await this.records.nearest({ tenant, database }, collectionId, {
      vectors,
      n,
      filter,
      include,
    });
    return queryResponse(collection, lists, wire, include);
  }

  @ApiOperation({ summary: 'Delete records' })
  @ApiResponse({ status: 200, description: 'The number of records deleted', example: { deleted: 2 } })
  @Post('delete')
  @HttpCode(200)
  async delete(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: DeleteRecordsDto,
  ) {
    const collectionId = validateCollectionId(id);
    const hasWhere = (body.where ?? null) !== null || (body.where_document ?? null) !== null;
    if (Array.isArray(body.ids) && body.ids.length === 0 && !hasWhere) {
      throw ChromaHttpError.invalidArgument('Validation error: ids, where: Either ids or where must be specified');
    }
    // Nothing to select by deletes nothing (as Chroma): never "everything" by accident.
    if ((body.ids ?? null) === null && !hasWhere) return { deleted: 0 };
    const filter = filterFrom(body);
    const deleted = await this.records.delete({ tenant, database }, collectionId, filter, body.limit ?? null);
    return { deleted };
  }

  /**
   * Every record is searchable as soon as its write commits; after a bulk load the HNSW index is
   * built in the background (searches are exact meanwhile), and the inserts wait here as unindexed.
   * Like Chroma's, the numbers count operations (inserts ever made), not the records there are now.
   */
  @ApiOperation({
    summary: 'Indexing status',
    description:
      'Records count as unindexed while the HNSW index due after a bulk load is being built; searches are exact meanwhile',
  })
  @ApiResponse({
    status: 200,
    description: 'Status',
    example: { num_indexed_ops: 2, num_unindexed_ops: 0, op_indexing_progress: 1, total_ops: 2 },
  })
  @Get('indexing_status')
  async indexingStatus(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string) {
    const { inserted, indexed } = await this.indexing.status({ tenant, database }, validateCollectionId(id));
    return {
      num_indexed_ops: indexed ? inserted : 0,
      num_unindexed_ops: indexed ? 0 : inserted,
      op_indexing_progress: indexed ? 1 : 0,
      total_ops: inserted,
    };
  }

  @ApiOperation({ summary: 'Count records' })
  @ApiResponse({ status: 200, description: 'The number of records', schema: { type: 'integer', example: 2 } })
  @Get('count')
  count(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string) {
    return this.records.count({ tenant, database }, validateCollectionId(id));
  }
}
