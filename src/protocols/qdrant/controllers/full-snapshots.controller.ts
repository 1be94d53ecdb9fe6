import { Controller, Delete, Get, HttpCode, Param, Post, Query, Res, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { QdrantStatsInterceptor } from '../qdrant-request-stats';
import { QdrantRequestChecks } from '../qdrant-validation';
import type { FastifyReply } from 'fastify';
import { WAIT } from './openapi';
import { answer } from '../answer';
import { QdrantSnapshotsService } from '../qdrant-snapshots.service';
import { sendFile, waited } from './snapshot-replies';

/**
 * Qdrant's full-storage snapshots: a snapshot of every collection, taken in one transaction,
 * downloaded as a tar archive of their snapshot files (each of which an upload recovers).
 */
@ApiTags('Qdrant (QDRANT_PORT, 6333)')
@Controller('_qdrant/snapshots')
@UseInterceptors(QdrantStatsInterceptor, QdrantRequestChecks)
export class QdrantFullSnapshotsController {
  constructor(private readonly snapshots: QdrantSnapshotsService) {}

  @ApiOperation({ summary: 'Take a full-storage snapshot: a snapshot of every collection, in one transaction' })
  @ApiQuery(WAIT)
  @Post()
  @HttpCode(200)
  create(@Query('wait') wait: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    return waited(wait, reply, () => this.snapshots.createFull());
  }

  @ApiOperation({ summary: 'The full-storage snapshots' })
  @Get()
  list() {
    return answer(() => this.snapshots.listFull());
  }

  @ApiOperation({
    summary: "Download a full-storage snapshot: a tar archive of config.json and each collection's snapshot file",
  })
  @Get(':snapshot')
  async download(@Param('snapshot') snapshot: string, @Res() reply: FastifyReply): Promise<void> {
    await sendFile(reply, snapshot, await this.snapshots.downloadFull(snapshot));
  }

  @ApiOperation({ summary: 'Delete a full-storage snapshot' })
  @ApiQuery(WAIT)
  @Delete(':snapshot')
  remove(
    @Param('snapshot') snapshot: string,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return waited(wait, reply, () => this.snapshots.deleteFull(snapshot));
  }
}
