import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Scope } from '../../../collections/collections.service';
import { WriteMode } from '../../../records/record.model';
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

@Controller('api/v2/tenants/:tenant/databases/:database/collections/:id')
export class ChromaRecordsController {
  constructor(private readonly records: RecordsService) {}

  private async write(scope: Scope, id: string, body: RecordSetDto, mode: WriteMode) {
    const collectionId = validateCollectionId(id);
    await this.records.write(scope, collectionId, mode, recordsFromPayload(body, mode));
    return {};
  }

  @Post('add')
  @HttpCode(201)
  add(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string, @Body() body: RecordSetDto) {
    return this.write({ tenant, database }, id, body, 'add');
  }

  @Post('upsert')
  @HttpCode(200)
  upsert(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string, @Body() body: RecordSetDto) {
    return this.write({ tenant, database }, id, body, 'merge');
  }

  @Post('update')
  @HttpCode(200)
  update(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string, @Body() body: RecordSetDto) {
    return this.write({ tenant, database }, id, body, 'update');
  }

  @Post('get')
  @HttpCode(200)
  async get(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string, @Body() body: GetRecordsDto) {
    const collectionId = validateCollectionId(id);
    const filter = filterFrom(body);
    const { wire, include } = parseInclude(body.include, DEFAULT_GET_INCLUDE);
    const found = await this.records.find({ tenant, database }, collectionId, { filter, include, limit: body.limit ?? null, offset: body.offset ?? 0 });
    return getResponse(found, wire, include);
  }

  @Post('query')
  @HttpCode(200)
  async query(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string, @Body() body: QueryRecordsDto) {
    const collectionId = validateCollectionId(id);
    const vectors = queryVectors(body.query_embeddings);
    const filter = filterFrom(body);
    const { wire, include } = parseInclude(body.include, DEFAULT_QUERY_INCLUDE);
    const n = body.n_results ?? 10;
    const { collection, lists } = await this.records.nearest({ tenant, database }, collectionId, { vectors, n, filter, include });
    return queryResponse(collection, lists, wire, include);
  }

  @Post('delete')
  @HttpCode(200)
  async delete(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string, @Body() body: DeleteRecordsDto) {
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

  /** Postgres indexes each write as it commits: nothing is ever waiting to be indexed. */
  @Get('indexing_status')
  async indexingStatus(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string) {
    const total = await this.records.count({ tenant, database }, validateCollectionId(id));
    return { num_indexed_ops: total, num_unindexed_ops: 0, op_indexing_progress: 1, total_ops: total };
  }

  @Get('count')
  count(@Param('tenant') tenant: string, @Param('database') database: string, @Param('id') id: string) {
    return this.records.count({ tenant, database }, validateCollectionId(id));
  }
}
