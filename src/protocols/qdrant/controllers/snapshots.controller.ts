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
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QDRANT_REQUEST, WAIT } from './openapi';
import { answer } from '../answer';
import { bodyOf } from '../body';
import { QdrantStatsInterceptor } from '../qdrant-request-stats';
import { checkSha256, QdrantSnapshotsService } from '../qdrant-snapshots.service';
import { QdrantRequestChecks } from '../qdrant-validation';
import { sendFile, UPLOAD_BODY, uploadedFile, waited } from './snapshot-replies';

@ApiTags('Qdrant (QDRANT_PORT, 6333)')
@Controller('_qdrant/collections/:name/snapshots')
@UseInterceptors(QdrantStatsInterceptor, QdrantRequestChecks)
export class QdrantSnapshotsController {
  constructor(private readonly snapshots: QdrantSnapshotsService) {}

  @ApiOperation({ summary: 'Take a snapshot of a collection (a copy of its records, at one instant)' })
  @ApiQuery(WAIT)
  @Post()
  @HttpCode(200)
  create(
    @Param('name') name: string,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return waited(wait, reply, () => this.snapshots.create(name));
  }

  @ApiOperation({ summary: "A collection's snapshots" })
  @Get()
  list(@Param('name') name: string) {
    return answer(() => this.snapshots.list(name));
  }

  @ApiOperation({
    summary: 'Recover a collection from a snapshot this gateway holds (replacing the collection of that name)',
  })
  @ApiQuery(WAIT)
  @ApiBody(QDRANT_REQUEST)
  @Put('recover')
  recover(
    @Param('name') name: string,
    @Body() body: unknown,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return waited(wait, reply, () => this.snapshots.recover(name, bodyOf(body)));
  }

  @ApiOperation({
    summary:
      'Recover a collection from an uploaded vecgate snapshot file (multipart field `snapshot`), replacing the collection of that name',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody(UPLOAD_BODY)
  @ApiQuery(WAIT)
  @ApiQuery({
    name: 'checksum',
    required: false,
    type: String,
    description: 'SHA-256 of the file, checked before it commits',
  })
  @ApiQuery({
    name: 'priority',
    required: false,
    type: String,
    description: 'Accepted: one node, no replicas to prefer',
  })
  @Post('upload')
  @HttpCode(200)
  upload(
    @Param('name') name: string,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Query('checksum') checksum?: string,
    @Query('wait') wait?: string,
  ) {
    return waited(wait, reply, async () => {
      const sum = checkSha256(checksum, 'query parameters');
      const file = await uploadedFile(request);
      try {
        return await this.snapshots.upload(name, file, sum);
      } finally {
        // What the recovery did not read (it stopped at an error) is drained, so the answer can go.
        file.resume();
      }
    });
  }

  @ApiOperation({ summary: 'Download a snapshot: the vecgate snapshot file (JSON Lines)' })
  @Get(':snapshot')
  async download(
    @Param('name') name: string,
    @Param('snapshot') snapshot: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await sendFile(reply, snapshot, await this.snapshots.download(name, snapshot));
  }

  @ApiOperation({ summary: 'Delete a snapshot' })
  @ApiQuery(WAIT)
  @Delete(':snapshot')
  remove(
    @Param('name') name: string,
    @Param('snapshot') snapshot: string,
    @Query('wait') wait: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return waited(wait, reply, () => this.snapshots.delete(name, snapshot));
  }
}
