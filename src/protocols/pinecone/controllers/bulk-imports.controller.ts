import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { StartImportDto } from '../dto/import.dto';
import { PineconeBulkImportsService } from '../pinecone-bulk-imports.service';
import { PineconeApiVersionGuard } from '../api-version.guard';

const IMPORT_EXAMPLE = {
  id: '101',
  uri: 'file:///srv/imports/catalog',
  status: 'InProgress',
  createdAt: '2026-11-25T10:30:00.000Z',
  percentComplete: 42.5,
  recordsImported: 425000,
};
const INDEX = { name: 'index', type: String, description: 'Index name', example: 'movies' };
const ID = { name: 'id', type: String, description: 'Import id', example: '101' };

/**
 * Pinecone's bulk imports (API 2024-10 and later), under an index's host: Parquet files in
 * Pinecone's import layout, read in the background (src/transfer/bulk-import), from the sources an
 * operator allows (docs/moving.md).
 */
@ApiTags('Pinecone data plane')
@UseGuards(PineconeApiVersionGuard)
@Controller('indexes/:index/bulk/imports')
export class PineconeBulkImportsController {
  constructor(private readonly imports: PineconeBulkImportsService) {}

  @ApiOperation({ summary: 'Start an import' })
  @ApiParam(INDEX)
  @ApiResponse({ status: 200, description: 'The import, Pending', example: { id: '101' } })
  @ApiResponse({ status: 400, description: 'A URI vecgate cannot read (s3://, gs://, no .parquet files)' })
  @ApiResponse({
    status: 403,
    description: 'A URI the settings do not allow (file:// and http(s):// are off by default)',
  })
  @Post()
  @HttpCode(200)
  start(@Param('index') index: string, @Body() body: StartImportDto) {
    return this.imports.start(index, body);
  }

  @ApiOperation({ summary: "List an index's imports, oldest first" })
  @ApiParam(INDEX)
  @ApiQuery({ name: 'limit', required: false, description: 'Page size, 1 to 100 (100)' })
  @ApiQuery({ name: 'paginationToken', required: false, description: 'The `pagination.next` of the previous page' })
  @ApiResponse({
    status: 200,
    description: 'A page; `pagination` only when more follow',
    example: { data: [IMPORT_EXAMPLE] },
  })
  @Get()
  list(@Param('index') index: string, @Query('limit') limit?: string, @Query('paginationToken') token?: string) {
    return this.imports.list(index, limit, token);
  }

  @ApiOperation({ summary: 'Describe an import' })
  @ApiParam(INDEX)
  @ApiParam(ID)
  @ApiResponse({ status: 200, description: 'The import', example: IMPORT_EXAMPLE })
  @ApiResponse({ status: 404, description: 'No such import' })
  @Get(':id')
  describe(@Param('index') index: string, @Param('id') id: string) {
    return this.imports.describe(index, id);
  }

  @ApiOperation({ summary: 'Cancel an import (a finished one is left as it is)' })
  @ApiParam(INDEX)
  @ApiParam(ID)
  @ApiResponse({ status: 200, description: 'Cancelled', example: {} })
  @ApiResponse({ status: 404, description: 'No such import' })
  @Delete(':id')
  @HttpCode(200)
  cancel(@Param('index') index: string, @Param('id') id: string) {
    return this.imports.cancel(index, id);
  }
}
