import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ChromaRecordsService } from '../chroma-records.service';
import { DeleteRecordsDto, GetRecordsDto, QueryRecordsDto, RecordSetDto, SearchRecordsDto } from '../dto/records.dto';

@ApiTags('Chroma')
@Controller('api/v2/tenants/:tenant/databases/:database/collections/:id')
export class ChromaRecordsController {
  constructor(private readonly chroma: ChromaRecordsService) {}

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
    return this.chroma.write({ tenant, database }, id, body, 'add');
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
    return this.chroma.write({ tenant, database }, id, body, 'merge');
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
    return this.chroma.write({ tenant, database }, id, body, 'update');
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
  get(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: GetRecordsDto,
  ) {
    return this.chroma.get({ tenant, database }, id, body);
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
  query(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: QueryRecordsDto,
  ) {
    return this.chroma.query({ tenant, database }, id, body);
  }

  @ApiOperation({
    summary: 'Search records (Search API)',
    description:
      'Rank expressions over dense and sparse knn lists (hybrid search, reciprocal rank fusion), filters, group_by, select. Lower scores are better.',
  })
  @ApiResponse({
    status: 200,
    description: 'One list per search in each column; a column the search did not select is null',
    example: {
      ids: [['a', 'b']],
      documents: [['hello world', 'goodbye']],
      embeddings: [null],
      metadatas: [null],
      scores: [[0.0012, 0.071]],
      select: [['#document', '#score']],
    },
  })
  @Post('search')
  @HttpCode(200)
  search(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: SearchRecordsDto,
  ) {
    return this.chroma.search({ tenant, database }, id, body);
  }

  @ApiOperation({ summary: 'Delete records' })
  @ApiResponse({ status: 200, description: 'The number of records deleted', example: { deleted: 2 } })
  @Post('delete')
  @HttpCode(200)
  delete(
    @Param('tenant') tenant: string,
    @Param('database') database: string,
    @Param('id') id: string,
    @Body() body: DeleteRecordsDto,
  ) {
    return this.chroma.delete({ tenant, database }, id, body);
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
  indexingStatus(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string) {
    return this.chroma.indexingStatus({ tenant, database }, id);
  }

  @ApiOperation({ summary: 'Count records' })
  @ApiResponse({ status: 200, description: 'The number of records', schema: { type: 'integer', example: 2 } })
  @Get('count')
  count(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string) {
    return this.chroma.count({ tenant, database }, id);
  }
}
