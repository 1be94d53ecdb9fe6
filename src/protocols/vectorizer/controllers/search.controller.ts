import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { BatchSearchDto, SearchDto } from '../dto/vectorizer.dto';
import { parseVectorizerFilter } from '../filter.parser';
import { VectorizerHttpError } from '../vectorizer-error';
import { VectorizerService } from '../vectorizer.service';

const MAX_LIMIT = 100;

/** limit: default 10, clamped to 100 as Vectorizer does; threshold: an inclusive minimum score. */
function searchOptions(limit: unknown, threshold: unknown) {
  const n = limit === undefined || limit === null ? 10 : limit;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw VectorizerHttpError.validation('limit', 'limit must be a non-negative integer');
  if (threshold !== undefined && threshold !== null && (typeof threshold !== 'number' || !Number.isFinite(threshold))) {
    throw VectorizerHttpError.validation('threshold', 'threshold must be a number');
  }
  return { limit: Math.min(n, MAX_LIMIT), threshold: (threshold ?? undefined) as number | undefined };
}

@Controller()
export class VectorizerSearchController {
  constructor(private readonly vectorizer: VectorizerService) {}

  @Post('search')
  @HttpCode(200)
  search(@Body() body: SearchDto) {
    if (!body.collection) throw VectorizerHttpError.validation('collection', 'missing collection field');
    return this.run(body.collection, body);
  }

  @Post('collections/:collection/search')
  @HttpCode(200)
  searchInCollection(@Param('collection') collection: string, @Body() body: SearchDto) {
    return this.run(collection, body);
  }

  /** Each query answered as /search would, in one response; a failing query fails alone. */
  @Post('batch_search')
  @HttpCode(200)
  async batchSearch(@Body() body: BatchSearchDto) {
    if (body.queries.length === 0) throw VectorizerHttpError.validation('queries', 'queries must be a non-empty array');
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
    return { collection: body.collection, count: results.length, succeeded, failed: results.length - succeeded, results };
  }

  private async run(collection: string, body: SearchDto) {
    const { limit, threshold } = searchOptions(body.limit, body.threshold);
    const filter = parseVectorizerFilter(body.filter);
    const { hits } = await this.vectorizer.search(collection, { vector: body.vector, limit, threshold, filter });
    return { results: hits, query_type: 'vector', limit, collection, total_results: hits.length };
  }
}
