import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ChromaTenantsService } from '../chroma-tenants.service';
import { CreateDatabaseDto, CreateTenantDto } from '../dto/tenant.dto';

@ApiTags('Chroma')
@Controller('api/v2/tenants')
export class ChromaTenantsController {
  constructor(private readonly chroma: ChromaTenantsService) {}

  @ApiOperation({ summary: 'Create a tenant' })
  @ApiResponse({ status: 200, description: 'Created', example: {} })
  @ApiResponse({ status: 409, description: 'The tenant exists' })
  @Post()
  @HttpCode(200)
  createTenant(@Body() body: CreateTenantDto) {
    return this.chroma.createTenant(body);
  }

  @ApiOperation({ summary: 'Get a tenant' })
  @ApiResponse({ status: 200, description: 'The tenant', example: { name: 'default_tenant' } })
  @ApiResponse({ status: 404, description: 'No such tenant' })
  @Get(':tenant')
  getTenant(@Param('tenant') tenant: string) {
    return this.chroma.getTenant(tenant);
  }

  @ApiOperation({ summary: "List a tenant's databases" })
  @ApiQuery({
    name: 'limit',
    required: false,
    type: 'integer',
    minimum: 0,
    description: 'At most this many (no limit when absent)',
  })
  @ApiQuery({ name: 'offset', required: false, type: 'integer', minimum: 0, description: 'Skip this many' })
  @ApiResponse({
    status: 200,
    description: 'The databases',
    example: [{ id: '7b0f5e9c-3c51-4a43-9a0e-2a4d3b1b7a10', name: 'default_database', tenant: 'default_tenant' }],
  })
  @Get(':tenant/databases')
  listDatabases(@Param('tenant') tenant: string, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    return this.chroma.listDatabases(tenant, limit, offset);
  }

  @ApiOperation({ summary: 'Create a database', description: 'The tenant must exist (404)' })
  @ApiResponse({ status: 200, description: 'Created', example: {} })
  @ApiResponse({ status: 409, description: 'The database exists' })
  @Post(':tenant/databases')
  @HttpCode(200)
  createDatabase(@Param('tenant') tenant: string, @Body() body: CreateDatabaseDto) {
    return this.chroma.createDatabase(tenant, body);
  }

  @ApiOperation({ summary: 'Get a database' })
  @ApiResponse({
    status: 200,
    description: 'The database',
    example: { id: '7b0f5e9c-3c51-4a43-9a0e-2a4d3b1b7a10', name: 'default_database', tenant: 'default_tenant' },
  })
  @ApiResponse({ status: 404, description: 'No such database' })
  @Get(':tenant/databases/:database')
  getDatabase(@Param('tenant') tenant: string, @Param('database') database: string) {
    return this.chroma.getDatabase(tenant, database);
  }

  @ApiOperation({ summary: 'Delete a database and its collections' })
  @ApiResponse({ status: 200, description: 'Deleted', example: {} })
  @ApiResponse({ status: 404, description: 'No such database' })
  @Delete(':tenant/databases/:database')
  deleteDatabase(@Param('tenant') tenant: string, @Param('database') database: string) {
    return this.chroma.deleteDatabase(tenant, database);
  }
}
