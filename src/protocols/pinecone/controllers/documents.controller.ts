import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { storedNamespace } from '../index-names';
import { PineconeDocumentsService } from '../pinecone-documents.service';
import { PineconeApiVersionGuard } from '../api-version.guard';

/** Examples shown in the API docs, as a client sends them. */
const EXAMPLES = {
  upsert: { documents: [{ _id: 'doc1', body: 'Error E1042 in the pump', category: 'pumps', year: 2024 }] },
  search: {
    score_by: [{ type: 'text', fields: ['body'], query: 'pump error' }],
    top_k: 10,
    include_fields: ['body'],
    filter: { category: { $eq: 'pumps' } },
  },
};

/**
 * Pinecone's Documents API (API 2026-07) on a document index: `{namespace}` is `__default__` for
 * the default namespace. Answers and errors have the `{"error": {"code", "message"}, "status"}` shape.
 */
@ApiTags('Pinecone data plane')
@UseGuards(PineconeApiVersionGuard)
@Controller('indexes/:index/namespaces/:namespace/documents')
export class PineconeDocumentsController {
  constructor(private readonly documents: PineconeDocumentsService) {}

  @ApiOperation({
    summary: 'Upsert documents',
    description:
      '1 to 1,000 documents, each with an `_id` and at least one schema field; a full-text field takes a string (≤ 100 KB, ≤ 10,000 tokens), ' +
      'a dense_vector field numbers of its dimension, a sparse_vector field `{indices, values}`, a field with embed / sparse_embed the text to embed ' +
      '(`usage.embed_total_tokens` in the answer); other fields are metadata. An existing id is replaced whole.',
  })
  @ApiParam({ name: 'index', type: String, example: 'docs' })
  @ApiParam({ name: 'namespace', type: String, example: '__default__' })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    examples: { documents: { value: EXAMPLES.upsert } },
  })
  @ApiResponse({ status: 202, description: 'Written', example: { upserted_count: 1 } })
  @Post('upsert')
  @HttpCode(202)
  upsert(@Param('index') index: string, @Param('namespace') namespace: string, @Body() body: unknown) {
    return this.documents.upsert(index, storedNamespace(namespace), body);
  }

  @ApiOperation({
    summary: 'Search documents',
    description:
      '`score_by`: `text` (`fields`, `query`: BM25 over the words), `query_string` (Lucene syntax), or one `dense_vector` / `sparse_vector` clause, ' +
      "or one `embed` / `sparse_embed` clause (`field`, `query`: embedded with the field's model); " +
      '`top_k` 1 to 10,000; `include_fields` (none by default, `["*"]` for all); `filter` with metadata operators and `$match_phrase`, `$match_all`, `$match_any`.',
  })
  @ApiParam({ name: 'index', type: String, example: 'docs' })
  @ApiParam({ name: 'namespace', type: String, example: '__default__' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, examples: { text: { value: EXAMPLES.search } } })
  @ApiResponse({
    status: 200,
    description: 'The matches, best first',
    example: {
      matches: [{ _id: 'doc1', _score: 1.42, body: 'Error E1042 in the pump' }],
      namespace: '__default__',
      usage: { read_units: 1 },
    },
  })
  @Post('search')
  @HttpCode(200)
  search(@Param('index') index: string, @Param('namespace') namespace: string, @Body() body: unknown) {
    return this.documents.search(index, storedNamespace(namespace), body);
  }

  @ApiOperation({
    summary: 'Fetch documents',
    description:
      '`ids` (1 to 1,000), or a `filter` with `limit` (default 100) and `pagination_token`; `include_fields` (all by default).',
  })
  @ApiParam({ name: 'index', type: String, example: 'docs' })
  @ApiParam({ name: 'namespace', type: String, example: '__default__' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, examples: { ids: { value: { ids: ['doc1'] } } } })
  @ApiResponse({ status: 200, description: 'The documents found, by id' })
  @Post('fetch')
  @HttpCode(200)
  fetch(@Param('index') index: string, @Param('namespace') namespace: string, @Body() body: unknown) {
    return this.documents.fetch(index, storedNamespace(namespace), body);
  }

  @ApiOperation({
    summary: 'List document ids',
    description: 'By `prefix`, in byte order, `limit` 1 to 100 a page, `pagination_token`.',
  })
  @ApiParam({ name: 'index', type: String, example: 'docs' })
  @ApiParam({ name: 'namespace', type: String, example: '__default__' })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    examples: { prefix: { value: { prefix: 'doc', limit: 20 } } },
  })
  @ApiResponse({ status: 200, description: 'A page of ids' })
  @Post('list')
  @HttpCode(200)
  list(@Param('index') index: string, @Param('namespace') namespace: string, @Body() body: unknown) {
    return this.documents.list(index, storedNamespace(namespace), body);
  }

  @ApiOperation({
    summary: 'Update documents',
    description: 'Per document (fields to set, `_remove_fields`), or by `filter` with `set_fields` / `remove_fields`.',
  })
  @ApiParam({ name: 'index', type: String, example: 'docs' })
  @ApiParam({ name: 'namespace', type: String, example: '__default__' })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    examples: { patch: { value: { documents: [{ _id: 'doc1', category: 'archive' }] } } },
  })
  @ApiResponse({ status: 202, description: 'Updated; `matched_records` for an update by filter' })
  @Post('update')
  @HttpCode(202)
  update(@Param('index') index: string, @Param('namespace') namespace: string, @Body() body: unknown) {
    return this.documents.update(index, storedNamespace(namespace), body);
  }

  @ApiOperation({ summary: 'Delete documents', description: 'Exactly one of `ids`, `filter` or `delete_all: true`.' })
  @ApiParam({ name: 'index', type: String, example: 'docs' })
  @ApiParam({ name: 'namespace', type: String, example: '__default__' })
  @ApiBody({ schema: { type: 'object', additionalProperties: true }, examples: { ids: { value: { ids: ['doc1'] } } } })
  @ApiResponse({ status: 202, description: 'Deleted; `matched_records` for a delete by filter' })
  @Post('delete')
  @HttpCode(202)
  delete(@Param('index') index: string, @Param('namespace') namespace: string, @Body() body: unknown) {
    return this.documents.delete(index, storedNamespace(namespace), body);
  }
}
