import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bodyRead } from '../../../common/request-deadline';
import { QDRANT_REQUEST, WAIT } from './openapi';
import { answer } from '../answer';
import { bodyOf } from '../body';
import { QdrantHttpError } from '../qdrant-error';
import { QdrantSnapshotsService } from '../qdrant-snapshots.service';

/** The field of the multipart form an upload sends its file in (Qdrant's). */
const UPLOAD_FIELD = 'snapshot';

@ApiTags('Qdrant (QDRANT_PORT, 6333)')
@Controller('_qdrant/collections/:name/snapshots')
export class QdrantSnapshotsController {
  constructor(private readonly snapshots: QdrantSnapshotsService) {}

  @ApiOperation({ summary: 'Take a snapshot of a collection (a copy of its records, at one instant)' })
  @ApiQuery(WAIT)
  @Post()
  @HttpCode(200)
  create(@Param('name') name: string) {
    return answer(() => this.snapshots.create(name));
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
  recover(@Param('name') name: string, @Body() body: unknown) {
    return answer(() => this.snapshots.recover(name, bodyOf(body)));
  }

  @ApiOperation({
    summary:
      'Recover a collection from an uploaded vecgate snapshot file (multipart field `snapshot`), replacing the collection of that name',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: { type: 'object', properties: { [UPLOAD_FIELD]: { type: 'string', format: 'binary' } } },
  })
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
  upload(@Param('name') name: string, @Req() request: FastifyRequest, @Query('checksum') checksum?: string) {
    return answer(async () => {
      if (!request.isMultipart())
        throw QdrantHttpError.badRequest(`send the snapshot file as multipart/form-data, in the field ${UPLOAD_FIELD}`);
      const part = await request.file();
      if (!part || part.fieldname !== UPLOAD_FIELD)
        throw QdrantHttpError.badRequest(`send the snapshot file in the multipart field ${UPLOAD_FIELD}`);
      // The request's deadline holds until the file has come whole; the recovery may then take its time.
      part.file.once('end', () => bodyRead(request));
      try {
        return await this.snapshots.upload(name, part.file, checksum);
      } finally {
        // What the recovery did not read (it stopped at an error) is drained, so the answer can go.
        part.file.resume();
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
    const file = await this.snapshots.download(name, snapshot);
    await reply
      .status(200)
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${snapshot.replace(/[^\w.-]/g, '_')}"`)
      .send(file);
  }

  @ApiOperation({ summary: 'Delete a snapshot' })
  @ApiQuery(WAIT)
  @Delete(':snapshot')
  remove(@Param('name') name: string, @Param('snapshot') snapshot: string) {
    return answer(() => this.snapshots.delete(name, snapshot));
  }
}
