import { Controller, Delete, Get, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { answer } from '../answer';
import { QdrantCollectionsService } from '../qdrant-collections.service';
import { QdrantStatsInterceptor } from '../qdrant-request-stats';
import { QdrantRequestChecks } from '../qdrant-validation';
import { QdrantTelemetryService, type TelemetryQuery } from '../qdrant-telemetry.service';
import { QDRANT_VERSION } from '../qdrant-version';

/** Qdrant's service routes, in their single-node shapes (its probes are the gateway's own, in Qdrant's words). */
@ApiTags('Qdrant (QDRANT_PORT, 6333)')
@Controller('_qdrant')
@UseInterceptors(QdrantStatsInterceptor, QdrantRequestChecks)
export class QdrantServiceController {
  constructor(
    private readonly collections: QdrantCollectionsService,
    private readonly telemetryService: QdrantTelemetryService,
  ) {}

  @ApiOperation({ summary: 'Version info (GET / on the Qdrant port)' })
  @Get()
  root() {
    return { title: 'qdrant - vector search engine', version: QDRANT_VERSION, commit: null };
  }

  @ApiOperation({ summary: "Telemetry: the caller's collections and its requests to this process, in Qdrant's shape" })
  @ApiQuery({ name: 'details_level', required: false })
  @ApiQuery({ name: 'anonymize', required: false })
  @ApiQuery({ name: 'per_collection', required: false })
  @ApiQuery({ name: 'timeout', required: false })
  @Get('telemetry')
  telemetry(@Query() query: TelemetryQuery) {
    return answer(() => this.telemetryService.telemetry(query));
  }

  @ApiOperation({
    summary: "Qdrant's Prometheus metrics of the caller's collections and requests (GET /metrics on the Qdrant port)",
  })
  @ApiQuery({ name: 'anonymize', required: false })
  @ApiQuery({ name: 'per_collection', required: false })
  @ApiQuery({ name: 'timeout', required: false })
  @Get('metrics')
  async metrics(@Query() query: TelemetryQuery, @Res() res: FastifyReply): Promise<void> {
    const text = await this.telemetryService.metrics(query);
    await res.status(200).type('text/plain; charset=utf-8').send(text);
  }

  @ApiOperation({ summary: 'Issues found: vecgate reports none' })
  @Get('issues')
  issues() {
    return answer(() => ({ issues: [] }));
  }

  @ApiOperation({ summary: 'Clear the issues found (there are none)' })
  @Delete('issues')
  clearIssues() {
    return answer(() => true);
  }

  @ApiOperation({ summary: 'Cluster status: a single node' })
  @Get('cluster')
  cluster() {
    return answer(() => ({ status: 'disabled' }));
  }

  @ApiOperation({ summary: 'Aliases of every collection' })
  @Get('aliases')
  aliases() {
    return answer(() => this.collections.listAliases());
  }
}
