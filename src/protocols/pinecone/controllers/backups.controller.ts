import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateBackupDto, CreateIndexFromBackupDto } from '../dto/backup.dto';
import { PineconeBackupsService } from '../pinecone-backups.service';
import { PineconeApiVersionGuard } from '../api-version.guard';

const BACKUP_EXAMPLE = {
  backup_id: '6f4a2c1e-0b7d-4a52-9a4e-3c5b1d2e8f90',
  source_index_name: 'movies',
  source_index_id: '1b2c3d4e-5f60-4718-8a9b-0c1d2e3f4a5b',
  name: 'nightly',
  description: null,
  status: 'Ready',
  cloud: 'aws',
  region: 'us-east-1',
  dimension: 3,
  metric: 'cosine',
  schema: { fields: { _values: { type: 'dense_vector', dimension: 3, metric: 'cosine' } } },
  record_count: 2,
  namespace_count: 1,
  size_bytes: 73728,
  tags: null,
  created_at: '2026-11-25T10:30:00.000Z',
};
const PAGE_QUERY = [
  { name: 'limit', required: false, description: 'Page size, 1 to 100 (10)' },
  { name: 'paginationToken', required: false, description: 'The `pagination.next` of the previous page' },
];

/**
 * Pinecone's backups and restore jobs (API 2025-04 and later). A backup is taken in the request,
 * in one transaction, and is Ready when answered; a restore copies it into a new index in the
 * request too, so its job is Completed when it can first be seen.
 */
@ApiTags('Pinecone control plane')
@UseGuards(PineconeApiVersionGuard)
@Controller()
export class PineconeBackupsController {
  constructor(private readonly backups: PineconeBackupsService) {}

  @ApiOperation({ summary: 'Back up an index' })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiResponse({ status: 201, description: 'The backup, Ready', example: BACKUP_EXAMPLE })
  @ApiResponse({ status: 404, description: 'No such index' })
  @Post('indexes/:index/backups')
  @HttpCode(201)
  create(@Param('index') index: string, @Body() body: CreateBackupDto) {
    return this.backups.create(index, body);
  }

  @ApiOperation({ summary: "List an index's backups, oldest first" })
  @ApiParam({ name: 'index', type: String, description: 'Index name', example: 'movies' })
  @ApiQuery(PAGE_QUERY[0])
  @ApiQuery(PAGE_QUERY[1])
  @ApiResponse({ status: 200, description: 'A page', example: { data: [BACKUP_EXAMPLE], pagination: null } })
  @Get('indexes/:index/backups')
  listByIndex(@Param('index') index: string, @Query('limit') limit?: string, @Query('paginationToken') token?: string) {
    return this.backups.list(index, limit, token);
  }

  @ApiOperation({ summary: 'List every backup of the project, oldest first' })
  @ApiQuery(PAGE_QUERY[0])
  @ApiQuery(PAGE_QUERY[1])
  @ApiResponse({ status: 200, description: 'A page', example: { data: [BACKUP_EXAMPLE], pagination: null } })
  @Get('backups')
  list(@Query('limit') limit?: string, @Query('paginationToken') token?: string) {
    return this.backups.list(null, limit, token);
  }

  @ApiOperation({ summary: 'Describe a backup' })
  @ApiParam({ name: 'id', type: String, description: 'Backup id' })
  @ApiResponse({ status: 200, description: 'The backup', example: BACKUP_EXAMPLE })
  @ApiResponse({ status: 404, description: 'No such backup' })
  @Get('backups/:id')
  describe(@Param('id') id: string) {
    return this.backups.describe(id);
  }

  @ApiOperation({ summary: 'Delete a backup and its copy of the records' })
  @ApiParam({ name: 'id', type: String, description: 'Backup id' })
  @ApiResponse({ status: 202, description: 'Deleted (empty body)' })
  @ApiResponse({ status: 404, description: 'No such backup' })
  @Delete('backups/:id')
  @HttpCode(202)
  async delete(@Param('id') id: string): Promise<void> {
    await this.backups.delete(id);
  }

  @ApiOperation({ summary: 'Create an index from a backup (a restore job)' })
  @ApiParam({ name: 'id', type: String, description: 'Backup id' })
  @ApiResponse({
    status: 202,
    description: 'The job (already Completed) and the new index',
    example: {
      restore_job_id: '0c9e8d7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f',
      index_id: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
    },
  })
  @ApiResponse({ status: 404, description: 'No such backup' })
  @ApiResponse({ status: 409, description: 'An index of that name exists' })
  @Post('backups/:id/create-index')
  @HttpCode(202)
  createIndex(@Param('id') id: string, @Body() body: CreateIndexFromBackupDto) {
    return this.backups.createIndex(id, body as unknown as Record<string, unknown>);
  }

  @ApiOperation({ summary: 'List restore jobs, oldest first' })
  @ApiQuery(PAGE_QUERY[0])
  @ApiQuery(PAGE_QUERY[1])
  @ApiResponse({ status: 200, description: 'A page' })
  @Get('restore-jobs')
  listRestoreJobs(@Query('limit') limit?: string, @Query('paginationToken') token?: string) {
    return this.backups.listRestoreJobs(limit, token);
  }

  @ApiOperation({ summary: 'Describe a restore job' })
  @ApiParam({ name: 'id', type: String, description: 'Restore job id' })
  @ApiResponse({ status: 200, description: 'The job' })
  @ApiResponse({ status: 404, description: 'No such restore job' })
  @Get('restore-jobs/:id')
  describeRestoreJob(@Param('id') id: string) {
    return this.backups.describeRestoreJob(id);
  }
}
