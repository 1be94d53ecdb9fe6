import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BatchDeleteDto, BatchUpdateDto, FilterDto, IdsDto, InsertVectorsDto } from '../dto/vectorizer.dto';
import { parseDeleteFilter } from '../vectorizer-filter.parser';
import { VectorizerHttpError } from '../vectorizer-error';
import { VectorizerService } from '../vectorizer.service';
import { insertItem, updateItem, vectorOf } from '../vectors.mapper';

function count(raw: string | undefined, fallback: number, max: number, name: string): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw VectorizerHttpError.validation(name, `${name} must be a non-negative integer`);
  return Math.min(Number(raw), max);
}

/**
 * Vectorizer's vector routes. Unlike the server, which writes what it can and reports failures
 * item by item in a 200, a batch with any invalid item is refused whole (400) and writes nothing.
 */
@ApiTags('Vectorizer')
@Controller()
export class VectorizerVectorsController {
  constructor(private readonly vectorizer: VectorizerService) {}

  @ApiOperation({
    summary: 'Insert vectors',
    description:
      "Creates the collection (cosine, the vectors' dimension) when it does not exist; a batch with an invalid item is refused whole",
  })
  @ApiResponse({
    status: 200,
    description: 'One result per vector',
    example: {
      collection: 'my_collection',
      inserted: 2,
      failed: 0,
      count: 2,
      results: [
        { index: 0, client_id: 'vec_001', status: 'ok', vector_ids: ['vec_001'] },
        { index: 1, client_id: 'vec_002', status: 'ok', vector_ids: ['vec_002'] },
      ],
    },
  })
  @Post('insert_vectors')
  @HttpCode(200)
  insertVectors(@Body() body: InsertVectorsDto) {
    return this.insert(body.collection, body.vectors);
  }

  /** Vectorizer embeds texts itself here; vecgate does not embed, so each item must carry its vector. */
  @ApiOperation({
    summary: 'Insert a batch of vectors',
    description: "As insert_vectors; Vectorizer's text items are taken when each carries its embedding",
  })
  @ApiResponse({
    status: 200,
    description: 'One result per vector',
    example: {
      collection: 'my_collection',
      inserted: 2,
      failed: 0,
      count: 2,
      results: [
        { index: 0, client_id: 'vec_001', status: 'ok', vector_ids: ['vec_001'] },
        { index: 1, client_id: 'vec_002', status: 'ok', vector_ids: ['vec_002'] },
      ],
    },
  })
  @Post('batch_insert')
  @HttpCode(200)
  batchInsert(@Body() body: InsertVectorsDto) {
    return this.insert(body.collection, body.vectors ?? body.texts);
  }

  private async insert(collection: string, items: unknown[] | undefined) {
    if (!items || items.length === 0)
      throw VectorizerHttpError.validation('vectors', 'vectors must be a non-empty array');
    const records = items.map((item, i) => insertItem(item, i));
    await this.vectorizer.insert(collection, records, true);
    return {
      collection,
      inserted: records.length,
      failed: 0,
      count: records.length,
      results: records.map((r, index) => ({
        index,
        client_id: (items[index] as { id?: unknown }).id ?? null,
        status: 'ok',
        vector_ids: [r.id],
      })),
    };
  }

  @ApiOperation({ summary: 'Update a batch of vectors' })
  @ApiResponse({
    status: 200,
    description: 'One result per update (an unknown id is an error item)',
    example: {
      collection: 'my_collection',
      count: 1,
      updated: 1,
      failed: 0,
      results: [{ index: 0, id: 'vec_001', status: 'ok' }],
    },
  })
  @Post('batch_update')
  @HttpCode(200)
  async batchUpdate(@Body() body: BatchUpdateDto) {
    if (body.updates.length === 0) throw VectorizerHttpError.validation('updates', 'updates must be a non-empty array');
    const records = body.updates.map(updateItem);
    const existing = await this.vectorizer.update(body.collection, records);
    const results = records.map((r, index) =>
      existing.has(r.id)
        ? { index, id: r.id, status: 'ok' }
        : { index, id: r.id, status: 'error', error: `Vector not found: ${r.id}` },
    );
    const updated = results.filter((r) => r.status === 'ok').length;
    return { collection: body.collection, count: records.length, updated, failed: records.length - updated, results };
  }

  @ApiOperation({ summary: 'Delete vectors by id' })
  @ApiResponse({
    status: 200,
    description: 'One result per id',
    example: {
      collection: 'my_collection',
      count: 2,
      deleted: 1,
      failed: 1,
      results: [
        { index: 0, id: 'vec_001', status: 'ok' },
        { index: 1, id: 'nope', status: 'error', error: 'Vector not found: nope' },
      ],
    },
  })
  @Post('batch_delete')
  @HttpCode(200)
  batchDelete(@Body() body: BatchDeleteDto) {
    return this.deleteIds(body.collection, body.ids);
  }

  /** The path the documentation gives (the server itself routes only /batch_delete). */
  @ApiOperation({ summary: 'Delete vectors by id (collection in the path)' })
  @ApiParam({ name: 'collection', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({
    status: 200,
    description: 'One result per id',
    example: {
      collection: 'my_collection',
      count: 2,
      deleted: 1,
      failed: 1,
      results: [
        { index: 0, id: 'vec_001', status: 'ok' },
        { index: 1, id: 'nope', status: 'error', error: 'Vector not found: nope' },
      ],
    },
  })
  @Post('collections/:collection/batch_delete')
  @HttpCode(200)
  batchDeleteInCollection(@Param('collection') collection: string, @Body() body: IdsDto) {
    return this.deleteIds(collection, body.ids);
  }

  private async deleteIds(collection: string, raw: unknown[]) {
    if (raw.length === 0) throw VectorizerHttpError.validation('ids', 'ids must be a non-empty array');
    const ids = raw.map((id, i) => checkIdLoosely(id, i));
    const { deleted } = await this.vectorizer.deleteWhere(collection, { kind: 'idIn', ids });
    // Reported as if deleted one by one: a repeated id is gone by its second turn.
    const gone = new Set(deleted);
    const results = ids.map((id, index) =>
      gone.delete(id) ? { index, id, status: 'ok' } : { index, id, status: 'error', error: `Vector not found: ${id}` },
    );
    const ok = results.filter((r) => r.status === 'ok').length;
    return { collection, count: ids.length, deleted: ok, failed: ids.length - ok, results };
  }

  @ApiOperation({ summary: 'List vectors' })
  @ApiParam({ name: 'collection', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: 'integer',
    minimum: 0,
    description: 'Page size (default 10; more than 1000 is taken as 1000)',
  })
  @ApiQuery({
    name: 'offset',
    required: false,
    type: 'integer',
    minimum: 0,
    description: 'Vectors to skip (default 0)',
  })
  @ApiResponse({
    status: 200,
    description: 'A page of vectors',
    example: {
      vectors: [{ id: 'vec_001', vector: [1, 0, 0], payload: { category: 'old_docs' } }],
      total: 1,
      limit: 10,
      offset: 0,
      message: null,
    },
  })
  @Get('collections/:collection/vectors')
  async list(
    @Param('collection') collection: string,
    @Query('limit') limit?: string,
    @Query('offset') offset?: string,
  ) {
    const size = count(limit, 10, 1000, 'limit');
    const skip = count(offset, 0, Number.MAX_SAFE_INTEGER, 'offset');
    const page = await this.vectorizer.page(collection, size, skip);
    return {
      vectors: page.vectors.map((r) => ({ id: r.id, vector: vectorOf(r), payload: r.metadata ?? null })),
      total: page.total,
      limit: size,
      offset: skip,
      message:
        page.total > size ? `Showing ${page.vectors.length} of ${page.total} vectors. Use pagination for more.` : null,
    };
  }

  /** Real data (the server answers a placeholder), under both the server's and the SDK's field names. */
  @ApiOperation({ summary: 'Get a vector' })
  @ApiParam({ name: 'collection', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiParam({ name: 'id', type: String, description: 'Vector id', example: 'vec_001' })
  @ApiResponse({
    status: 200,
    description: "The vector, under both the server's and the SDK's field names",
    example: {
      id: 'vec_001',
      vector: [1, 0, 0],
      payload: { category: 'old_docs' },
      data: [1, 0, 0],
      metadata: { category: 'old_docs' },
    },
  })
  @ApiResponse({ status: 404, description: 'No such vector or collection' })
  @Get('collections/:collection/vectors/:id')
  async getOne(@Param('collection') collection: string, @Param('id') id: string) {
    const [record] = await this.vectorizer.fetch(collection, [id]);
    if (!record) throw VectorizerHttpError.vectorNotFound(id);
    const vector = vectorOf(record);
    return { id: record.id, vector, payload: record.metadata ?? null, data: vector, metadata: record.metadata ?? null };
  }

  @ApiOperation({ summary: 'Delete a vector' })
  @ApiParam({ name: 'collection', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiParam({ name: 'id', type: String, description: 'Vector id', example: 'vec_001' })
  @ApiResponse({
    status: 200,
    description: 'Deleted',
    example: { message: "Vector 'vec_001' deleted from collection 'my_collection'", success: true },
  })
  @ApiResponse({ status: 404, description: 'No such vector or collection' })
  @Delete('collections/:collection/vectors/:id')
  async deleteOne(@Param('collection') collection: string, @Param('id') id: string) {
    const { deleted } = await this.vectorizer.deleteWhere(collection, { kind: 'idIn', ids: [id] });
    if (deleted.length === 0) throw VectorizerHttpError.vectorNotFound(id);
    return { message: `Vector '${id}' deleted from collection '${collection}'`, success: true };
  }

  @ApiOperation({ summary: 'Delete the vectors a filter selects' })
  @ApiParam({ name: 'collection', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({
    status: 200,
    description: 'What was deleted',
    example: { scanned: 10, matched: 1, deleted: 1, results: [{ id: 'vec_001', status: 'deleted' }] },
  })
  @Post('collections/:collection/vectors/delete_by_filter')
  @HttpCode(200)
  deleteByFilter(@Param('collection') collection: string, @Body() body: FilterDto) {
    return this.deleteMatching(collection, body.filter);
  }

  /** The path the documentation (and the seed) gives for the same operation. */
  @ApiOperation({ summary: 'Delete the vectors a filter selects (documented path)' })
  @ApiParam({ name: 'collection', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({
    status: 200,
    description: 'What was deleted',
    example: { scanned: 10, matched: 1, deleted: 1, results: [{ id: 'vec_001', status: 'deleted' }] },
  })
  @Post('collections/:collection/delete_by_filter')
  @HttpCode(200)
  deleteByFilterDocumented(@Param('collection') collection: string, @Body() body: FilterDto) {
    return this.deleteMatching(collection, body.filter);
  }

  private async deleteMatching(collection: string, rawFilter: unknown) {
    const filter = parseDeleteFilter(rawFilter);
    const { scanned, deleted } = await this.vectorizer.deleteWhere(collection, filter);
    return {
      scanned,
      matched: deleted.length,
      deleted: deleted.length,
      results: deleted.map((id) => ({ id, status: 'deleted' })),
    };
  }
}

/** Deletes take any id that could be stored (chunk ids contain '#'). */
function checkIdLoosely(id: unknown, index: number): string {
  if (typeof id === 'number' && Number.isInteger(id)) return String(id);
  if (typeof id === 'string' && id.length > 0) return id;
  throw VectorizerHttpError.validation(`ids[${index}]`, 'id must be a non-empty string');
}
