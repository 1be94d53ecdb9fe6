import { Body, Controller, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { storedNamespace } from '../index-names';
import { MAX_RECORDS_PER_UPSERT, PineconeRecordsService } from '../pinecone-records.service';
import { PineconeApiVersionGuard } from '../api-version.guard';

/** An integrated index's records API: text in, embedded by the operator's provider (docs/inference.md). */
@ApiTags('Pinecone data plane')
@UseGuards(PineconeApiVersionGuard)
@Controller('indexes/:index/records/namespaces/:namespace')
export class PineconeRecordsController {
  constructor(private readonly records: PineconeRecordsService) {}

  @ApiOperation({
    summary: 'Upsert text records',
    description:
      `NDJSON (\`Content-Type: application/x-ndjson\`), one record a line, at most ${MAX_RECORDS_PER_UPSERT}: an \`_id\` (or \`id\`), the text field the index maps, ` +
      'and other fields, kept as metadata. The texts are embedded first; a provider that fails writes nothing (503).',
  })
  @ApiParam({ name: 'index', type: String, example: 'docs' })
  @ApiParam({
    name: 'namespace',
    type: String,
    description: '`__default__` for the default namespace',
    example: 'articles',
  })
  @ApiBody({
    schema: { type: 'array', items: { type: 'object', additionalProperties: true } },
    examples: {
      records: { value: [{ _id: 'rec1', chunk_text: 'The Eiffel Tower is in Paris.', category: 'landmark' }] },
    },
  })
  @ApiResponse({ status: 201, description: 'Written (empty body)' })
  @ApiResponse({ status: 400, description: 'Not an integrated index, a record without its text, or past the limit' })
  @ApiResponse({ status: 503, description: 'The inference provider is unavailable; nothing was written' })
  @Post('upsert')
  @HttpCode(201)
  async upsert(
    @Param('index') index: string,
    @Param('namespace') namespace: string,
    @Body() body: unknown,
  ): Promise<void> {
    await this.records.upsert(index, storedNamespace(namespace), body);
  }

  @ApiOperation({
    summary: 'Search records',
    description:
      "`query`: `top_k` and one of `inputs.text` (embedded with the index's model), `vector` or `id`, and an optional `filter`; " +
      '`fields` to return; `rerank` (`model`, `rank_fields`, `top_n`, `query`) reorders the hits with a reranking model',
  })
  @ApiParam({ name: 'index', type: String, example: 'docs' })
  @ApiParam({ name: 'namespace', type: String, example: 'articles' })
  @ApiBody({
    schema: { type: 'object', additionalProperties: true },
    examples: {
      text: {
        value: {
          query: { inputs: { text: 'Where is the Eiffel Tower?' }, top_k: 5 },
          fields: ['chunk_text'],
          rerank: { model: 'bge-reranker-v2-m3', rank_fields: ['chunk_text'], top_n: 3 },
        },
      },
    },
  })
  @ApiResponse({
    status: 200,
    description: 'The hits, best first',
    example: {
      result: { hits: [{ _id: 'rec1', _score: 0.91, fields: { chunk_text: 'The Eiffel Tower is in Paris.' } }] },
      usage: { read_units: 1, embed_total_tokens: 6, rerank_units: 1 },
    },
  })
  @Post('search')
  @HttpCode(200)
  search(@Param('index') index: string, @Param('namespace') namespace: string, @Body() body: unknown) {
    return this.records.search(index, storedNamespace(namespace), body);
  }
}
