import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { QDRANT_REQUEST, TIMEOUT, WAIT } from './openapi';
import type { JsonObject } from '../../json-guards';
import { answer, updateResult } from '../answer';
import { bodyOf } from '../body';
import { QdrantCollectionsService } from '../qdrant-collections.service';
import { QdrantPointsService } from '../qdrant-points.service';
import { QdrantStatsInterceptor } from '../qdrant-request-stats';
import { QdrantRequestChecks } from '../qdrant-validation';

@ApiTags('Qdrant (QDRANT_PORT, 6333)')
@Controller('_qdrant/collections')
@UseInterceptors(QdrantStatsInterceptor, QdrantRequestChecks)
export class QdrantCollectionsController {
  constructor(
    private readonly collections: QdrantCollectionsService,
    private readonly points: QdrantPointsService,
  ) {}

  @ApiOperation({ summary: 'List collections' })
  @Get()
  list() {
    return answer(() => this.collections.list());
  }

  @ApiOperation({ summary: 'Collection info' })
  @Get(':name')
  info(@Param('name') name: string) {
    return answer(() => this.collections.info(name));
  }

  @ApiOperation({
    summary: 'Optimizations: none run (a collection is one table); `with=queued,completed,idle_segments`',
  })
  @Get(':name/optimizations')
  optimizations(@Param('name') name: string, @Query('with') withParam: unknown) {
    return answer(() => this.collections.optimizations(name, withParam));
  }

  @ApiOperation({ summary: 'Whether a collection exists' })
  @Get(':name/exists')
  exists(@Param('name') name: string) {
    return answer(() => this.collections.exists(name));
  }

  @ApiOperation({ summary: 'Aliases of a collection' })
  @Get(':name/aliases')
  aliases(@Param('name') name: string) {
    return answer(() => this.collections.listAliases(name));
  }

  @ApiOperation({ summary: 'Create, delete and rename aliases, all at once' })
  @ApiBody(QDRANT_REQUEST)
  @Post('aliases')
  @HttpCode(200)
  updateAliases(@Body() body: unknown) {
    return answer(() => this.collections.updateAliases(bodyOf(body)));
  }

  @ApiOperation({ summary: 'Create a collection' })
  @ApiBody(QDRANT_REQUEST)
  @Put(':name')
  create(@Param('name') name: string, @Body() body: unknown) {
    return answer(() => this.collections.create(name, bodyOf(body) as JsonObject));
  }

  @ApiOperation({ summary: 'Update a collection (HNSW settings are applied; the rest is kept and shown)' })
  @ApiBody(QDRANT_REQUEST)
  @Patch(':name')
  update(@Param('name') name: string, @Body() body: unknown) {
    return answer(() => this.collections.update(name, bodyOf(body)));
  }

  @ApiQuery(TIMEOUT)
  @ApiOperation({ summary: 'Facet: the most frequent values of a payload key, with their counts' })
  @ApiBody(QDRANT_REQUEST)
  @Post(':name/facet')
  @HttpCode(200)
  facet(@Param('name') name: string, @Body() body: unknown, @Query('timeout') timeout?: string) {
    return answer(() => this.points.facet(name, bodyOf(body), timeout));
  }

  @ApiOperation({ summary: 'Add a named vector, dense or sparse, to a collection' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Put(':name/vectors/:vector')
  addVector(
    @Param('name') name: string,
    @Param('vector') vector: string,
    @Body() body: unknown,
    @Query('wait') wait?: string,
  ) {
    return answer(async () => {
      await this.collections.addVector(name, vector, bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Remove a named vector from a collection and its points' })
  @ApiQuery(WAIT)
  @Delete(':name/vectors/:vector')
  removeVector(@Param('name') name: string, @Param('vector') vector: string, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.collections.removeVector(name, vector);
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Create a payload field index' })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Put(':name/index')
  createFieldIndex(@Param('name') name: string, @Body() body: unknown, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.collections.createFieldIndex(name, bodyOf(body));
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Delete a payload field index' })
  @ApiQuery(WAIT)
  @Delete(':name/index/:field')
  deleteFieldIndex(@Param('name') name: string, @Param('field') field: string, @Query('wait') wait?: string) {
    return answer(async () => {
      await this.collections.deleteFieldIndex(name, field);
      return updateResult(wait);
    });
  }

  @ApiOperation({ summary: 'Delete a collection (false when there was none)' })
  @Delete(':name')
  delete(@Param('name') name: string) {
    return answer(() => this.collections.delete(name));
  }
}
