import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BatchSearchDto, SearchDto } from '../dto/vectorizer.dto';
import { parseVectorizerFilter } from '../vectorizer-filter.parser';
import { VectorizerHttpError } from '../vectorizer-error';
import { VectorizerService } from '../vectorizer.service';

const MAX_LIMIT = 100;

/** limit: default 10, clamped to 100 as Vectorizer does; threshold: an inclusive minimum score. */
function searchOptions(limit: unknown, threshold: unknown) {
  const n = limit === undefined || limit === null ? 10 : limit;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw VectorizerHttpError.validation('limit', 'limit must be a non-negative integer');
  if (threshold !== undefined && threshold !== null && (typeof threshold !== 'number' || !Number.isFinite(threshold))) {
    throw VectorizerHttpError.validation('threshold', 'threshold must be a number');
  }
  return { limit: Math.min(n, MAX_LIMIT), threshold: (threshold ?? undefined) as number | undefined };
}

/** Queries in one batch_search: they run one after another and answer together, each at most MAX_LIMIT results. */
const MAX_BATCH_QUERIES = 100;

@ApiTags('Vectorizer')
@Controller()
export class VectorizerSearchController {
  constructor(private readonly vectorizer: VectorizerService) {}

  @ApiOperation({ summary: 'Search a collection', description: 'The collection is named in the body' })
  @ApiResponse({
    status: 200,
    description: 'Matches, best first',
    example: {
      results: [{ id: 'vec_002', score: 1, vector: [0, 1, 0], payload: { category: 'new' } }],
      query_type: 'vector',
      limit: 5,
      collection: 'my_collection',
      total_results: 1,
    },
  })
  @Post('search')
  @HttpCode(200)
  search(@Body() body: SearchDto) {
    if (!body.collection) throw VectorizerHttpError.validation('collection', 'missing collection field');
    return this.run(body.collection, body);
  }

  @ApiOperation({ summary: 'Search a collection (collection in the path)' })
  @ApiParam({ name: 'collection', type: String, description: 'Collection name', example: 'my_collection' })
  @ApiResponse({
    status: 200,
    description: 'Matches, best first',
    example: {
      results: [{ id: 'vec_002', score: 1, vector: [0, 1, 0], payload: { category: 'new' } }],
      query_type: 'vector',
      limit: 5,
      collection: 'my_collection',
      total_results: 1,
    },
  })
  @Post('collections/:collection/search')
  @HttpCode(200)
  searchInCollection(@Param('collection') collection: string, @Body() body: SearchDto) {
    return this.run(collection, body);
  }

  /** Each query answered as /search would, in one response; a failing query fails alone. */
  @ApiOperation({ summary: 'Run several searches' })
  @ApiResponse({
    status: 200,
    description: 'One result per query, in order; a failing query is an error item',
    example: {
      collection: 'my_collection',
      count: 1,
      succeeded: 1,
      failed: 0,
      results: [
        {
          results: [],
          query_type: 'vector',
          limit: 3,
          collection: 'my_collection',
          total_results: 0,
          index: 0,
          status: 'ok',
          query: null,
        },
      ],
    },
  })
  @Post('batch_search')
  @HttpCode(200)
  async batchSearch(@Body() body: BatchSearchDto) {
    if (body.queries.length === 0) throw VectorizerHttpError.validation('queries', 'queries must be a non-empty array');
    // Bounded before any runs: 20,000 queries made one 148 MB answer.
    if (body.queries.length > MAX_BATCH_QUERIES)
      throw VectorizerHttpError.validation('queries', `at most ${MAX_BATCH_QUERIES} queries in one batch`);
    const results = [];
    for (const [index, raw] of body.queries.entries()) {
      const q = (raw ?? {}) as SearchDto & { score_threshold?: unknown };
      try {
        const answer = await this.run(body.collection, { ...q, threshold: q.threshold ?? q.score_threshold });
        results.push({ ...answer, index, status: 'ok', query: null });
      } catch (err) {
        if (!(err instanceof VectorizerHttpError) || err.status >= 500) throw err;
        results.push({ index, status: 'error', error: err.message, error_type: err.errorType, query: null });
      }
    }
    const succeeded = results.filter((r) => r.status === 'ok').length;
    return {
      collection: body.collection,
      count: results.length,
      succeeded,
      failed: results.length - succeeded,
      results,
    };
  }

  private async run(collection: string, body: SearchDto) {
    const { limit, threshold } = searchOptions(body.limit, body.threshold);
    const filter = parseVectorizerFilter(body.filter);
    const { hits } = await this.vectorizer.search(collection, { vector: body.vector, limit, threshold, filter });
    return { results: hits, query_type: 'vector', limit, collection, total_results: hits.length };
  }
}
