import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { QDRANT_REQUEST, TIMEOUT, WAIT } from './openapi';
import { answer, updateResult } from '../answer';
import { bodyOf } from '../body';
import { QdrantPointsService } from '../qdrant-points.service';
import { QdrantQueryService } from '../qdrant-query.service';
import { QdrantStatsInterceptor } from '../qdrant-request-stats';
import { QdrantRequestChecks } from '../qdrant-validation';

/** Qdrant's point routes: writes answer an UpdateResult once committed (`wait` or not). */
@ApiTags('Qdrant (QDRANT_PORT, 6333)')
@Controller('_qdrant/collections/:name/points')
@UseInterceptors(QdrantStatsInterceptor, QdrantRequestChecks)
export class QdrantPointsController {
  constructor(
    private readonly points: QdrantPointsService,
    private readonly queries: QdrantQueryService,
  ) {}

  @ApiOperation({ summary: 'Upsert points (list or batch form)' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Put()
  upsert(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.points.apply(name, 'upsert', bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Retrieve points by id' })
  @ApiBody(QDRANT_REQUEST)
  @Post()
  @HttpCode(200)
  retrieve(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.points.retrieve(name, bodyOf(body), timeout));
  }

  @ApiOperation({ summary: 'Retrieve one point' })
  @Get(':id')
  getOne(@Param('name') name: string, @Param('id') id: string) {
    return answer(() => this.points.getOne(name, id));
  }

  @ApiOperation({ summary: 'Delete points by id or filter' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Post('delete')
  @HttpCode(200)
  delete(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.points.apply(name, 'delete', bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Update vectors of existing points' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Put('vectors')
  updateVectors(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.points.apply(name, 'update_vectors', bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Delete named vectors of points (the points stay)' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Post('vectors/delete')
  @HttpCode(200)
  deleteVectors(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.points.apply(name, 'delete_vectors', bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Batch update: mixed operations in order, in one transaction' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Post('batch')
  @HttpCode(200)
  batch(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      const n = await this.points.batch(name, bodyOf(body));
      return Array.from({ length: n }, () => updateResult(wait));
    });
  }

  @ApiOperation({ summary: 'Set payload keys (merged; at `key` when given)' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Post('payload')
  @HttpCode(200)
  setPayload(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.points.apply(name, 'set_payload', bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Overwrite the whole payload' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Put('payload')
  overwritePayload(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.points.apply(name, 'overwrite_payload', bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Delete payload keys' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Post('payload/delete')
  @HttpCode(200)
  deletePayload(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.points.apply(name, 'delete_payload', bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Clear the payload' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Post('payload/clear')
  @HttpCode(200)
  clearPayload(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.points.apply(name, 'clear_payload', bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Scroll points in id order' })
  @ApiBody(QDRANT_REQUEST)
  @Post('scroll')
  @HttpCode(200)
  scroll(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.points.scroll(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Count points (exact)' })
  @ApiBody(QDRANT_REQUEST)
  @Post('count')
  @HttpCode(200)
  count(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.points.count(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Query API: vector, point id, nearest, recommend, fusion of prefetches' })
  @ApiBody(QDRANT_REQUEST)
  @Post('query')
  @HttpCode(200)
  query(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.query(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Query API, grouped by a payload value' })
  @ApiBody(QDRANT_REQUEST)
  @Post('query/groups')
  @HttpCode(200)
  queryGroups(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.queryGroups(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Search matrix as pairs: sampled points and their nearest among the sample' })
  @ApiBody(QDRANT_REQUEST)
  @Post('search/matrix/pairs')
  @HttpCode(200)
  matrixPairs(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.matrix(name, bodyOf(body), 'pairs', timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Search matrix as offsets: sampled points and their nearest among the sample' })
  @ApiBody(QDRANT_REQUEST)
  @Post('search/matrix/offsets')
  @HttpCode(200)
  matrixOffsets(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.matrix(name, bodyOf(body), 'offsets', timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Several Query API requests' })
  @ApiBody(QDRANT_REQUEST)
  @Post('query/batch')
  @HttpCode(200)
  queryBatch(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.queryBatch(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Search (legacy)' })
  @ApiBody(QDRANT_REQUEST)
  @Post('search')
  @HttpCode(200)
  search(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.search(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Several searches (legacy)' })
  @ApiBody(QDRANT_REQUEST)
  @Post('search/batch')
  @HttpCode(200)
  searchBatch(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.searchBatch(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Recommend (legacy: average_vector, best_score, sum_scores)' })
  @ApiBody(QDRANT_REQUEST)
  @Post('recommend')
  @HttpCode(200)
  recommend(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.recommend(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Search, grouped by a payload value (legacy)' })
  @ApiBody(QDRANT_REQUEST)
  @Post('search/groups')
  @HttpCode(200)
  searchGroups(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.searchGroups(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Recommend, grouped by a payload value (legacy)' })
  @ApiBody(QDRANT_REQUEST)
  @Post('recommend/groups')
  @HttpCode(200)
  recommendGroups(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.recommendGroups(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Discover (legacy): a target and context pairs, or context pairs alone' })
  @ApiBody(QDRANT_REQUEST)
  @Post('discover')
  @HttpCode(200)
  discover(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.discover(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Several discover searches (legacy)' })
  @ApiBody(QDRANT_REQUEST)
  @Post('discover/batch')
  @HttpCode(200)
  discoverBatch(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.discoverBatch(name, bodyOf(body), timeout));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Several recommendations (legacy)' })
  @ApiBody(QDRANT_REQUEST)
  @Post('recommend/batch')
  @HttpCode(200)
  recommendBatch(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.queries.recommendBatch(name, bodyOf(body), timeout));
  }
}
