import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { QdrantStatsInterceptor } from '../qdrant-request-stats';
import { QdrantRequestChecks } from '../qdrant-validation';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QDRANT_REQUEST, WAIT } from './openapi';
import { answer } from '../answer';
import { bodyOf } from '../body';
import { checkSha256, QdrantSnapshotsService } from '../qdrant-snapshots.service';
import { sendFile, UPLOAD_BODY, uploadedFile, waited } from './snapshot-replies';

const CHECKSUM = {
  name: 'checksum',
  required: false,
  type: String,
  description: 'SHA-256 of the file, checked before it commits',
};

/**
 * Qdrant's shard snapshots. A vecgate collection is one shard, shard 0: its shard snapshots are
 * snapshots of the collection, listed apart from the collection's own as Qdrant lists them; any
 * other shard is not found, in Qdrant's words.
 */
@ApiTags('Qdrant (QDRANT_PORT, 6333)')
@Controller('_qdrant/collections/:name/shards/:shard')
@UseInterceptors(QdrantStatsInterceptor, QdrantRequestChecks)
export class QdrantShardSnapshotsController {
  constructor(private readonly snapshots: QdrantSnapshotsService) {}

  @ApiOperation({ summary: "Take a snapshot of a collection's shard (shard 0, the whole collection)" })
  @ApiQuery(WAIT)
  @Post('snapshots')
  @HttpCode(200)
  create(
    @Param('name') name: string,
    @Param('shard') shard: string,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return waited(wait, reply, () => this.snapshots.createShard(name, shard));
  }

  @ApiOperation({ summary: "A shard's snapshots" })
  @Get('snapshots')
  list(@Param('name') name: string, @Param('shard') shard: string) {
    return answer(() => this.snapshots.listShard(name, shard));
  }

  @ApiOperation({
    summary: 'Recover a shard (the whole collection, which must exist) from a snapshot this gateway holds or a URL',
  })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Put('snapshots/recover')
  recover(
    @Param('name') name: string,
    @Param('shard') shard: string,
    @Body() body: unknown,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return waited(wait, reply, () => this.snapshots.recoverShard(name, shard, bodyOf(body)));
  }

  @ApiOperation({
    summary: 'Recover a shard (the whole collection, which must exist) from an uploaded vecgate snapshot file',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody(UPLOAD_BODY)
  @ApiQuery(WAIT)
  @ApiQuery(CHECKSUM)
  @Post('snapshots/upload')
  @HttpCode(200)
  upload(
    @Param('name') name: string,
    @Param('shard') shard: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('checksum') checksum?: string,
    @Query('wait') wait?: string,
  ) {
    return waited(wait, reply, async () => {
      const sum = checkSha256(checksum, 'query parameters');
      const file = await uploadedFile(request);
      try {
        return await this.snapshots.uploadShard(name, shard, file, sum);
      } finally {
        file.resume();
      }
    });
  }

  @ApiOperation({ summary: "Download a shard's snapshot: the vecgate snapshot file (JSON Lines)" })
  @Get('snapshots/:snapshot')
  async download(
    @Param('name') name: string,
    @Param('shard') shard: string,
    @Param('snapshot') snapshot: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendFile(reply, snapshot, await this.snapshots.downloadShard(name, shard, snapshot));
  }

  @ApiOperation({ summary: "Delete a shard's snapshot" })
  @ApiQuery(WAIT)
  @Delete('snapshots/:snapshot')
  remove(
    @Param('name') name: string,
    @Param('shard') shard: string,
    @Param('snapshot') snapshot: string,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return waited(wait, reply, () => this.snapshots.deleteShard(name, shard, snapshot));
  }

  @ApiOperation({
    summary:
      'Refused: partial snapshots carry the segment files changed since a manifest, and a vecgate collection has no segments (recover the whole shard instead)',
  })
  @ApiQuery(CHECKSUM)
  @Post('snapshot/partial/recover')
  partialRecover(@Param('name') name: string, @Param('shard') shard: string, @Query('checksum') checksum?: string) {
    return answer(() => this.snapshots.partial(name, shard, checksum));
  }

  @ApiOperation({ summary: 'Refused: partial snapshots (see partial/recover)' })
  @Post('snapshot/partial/create')
  partialCreate(@Param('name') name: string, @Param('shard') shard: string) {
    return answer(() => this.snapshots.partial(name, shard));
  }

  @ApiOperation({ summary: 'Refused: partial snapshots (see partial/recover)' })
  @Post('snapshot/partial/recover_from')
  partialRecoverFrom(@Param('name') name: string, @Param('shard') shard: string) {
    return answer(() => this.snapshots.partial(name, shard));
  }

  @ApiOperation({ summary: 'Refused: a streamed shard snapshot (take one with POST snapshots and download it)' })
  @Get('snapshot')
  stream(@Param('name') name: string, @Param('shard') shard: string) {
    return answer(() => this.snapshots.streamed(name, shard));
  }

  @ApiOperation({ summary: 'Refused: partial snapshots (see partial/recover)' })
  @Get('snapshot/partial/manifest')
  partialManifest(@Param('name') name: string, @Param('shard') shard: string) {
    return answer(() => this.snapshots.partial(name, shard));
  }
}
