import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CollectionsService } from '../../../collections/collections.service';
import { TenantsService } from '../../../tenants/tenants.service';
import { validateLength } from '../chroma-names';
import { CreateDatabaseDto, CreateTenantDto } from '../dto/tenant.dto';
import { pageOf } from '../pagination';
import { withDatabaseNotFound } from '../reword';
import { ChromaHttpError } from '../chroma-error';

@ApiTags('Chroma')
@Controller('api/v2/tenants')
export class ChromaTenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly collections: CollectionsService,
  ) {}

  @ApiOperation({ summary: 'Create a tenant' })
  @ApiResponse({ status: 200, description: 'Created', example: {} })
  @ApiResponse({ status: 409, description: 'The tenant exists' })
  @Post()
  @HttpCode(200)
  async createTenant(@Body() body: CreateTenantDto) {
    validateLength('name', body.name);
    await this.tenants.createTenant(body.name);
    return {};
  }

  @ApiOperation({ summary: 'Get a tenant' })
  @ApiResponse({ status: 200, description: 'The tenant', example: { name: 'default_tenant' } })
  @ApiResponse({ status: 404, description: 'No such tenant' })
  @Get(':tenant')
  getTenant(@Param('tenant') tenant: string) {
    return this.tenants.getTenant(tenant);
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
    const page = pageOf(limit, offset);
    return this.tenants.listDatabases(tenant, page.limit, page.offset);
  }

  @ApiOperation({ summary: 'Create a database', description: 'The tenant must exist (404)' })
  @ApiResponse({ status: 200, description: 'Created', example: {} })
  @ApiResponse({ status: 409, description: 'The database exists' })
  @Post(':tenant/databases')
  @HttpCode(200)
  async createDatabase(@Param('tenant') tenant: string, @Body() body: CreateDatabaseDto) {
    validateLength('database_name', body.name);
    await this.tenants.createDatabase(tenant, body.name);
    return {};
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
    return this.tenants.getDatabase(tenant, database);
  }

  @ApiOperation({ summary: 'Delete a database and its collections' })
  @ApiResponse({ status: 200, description: 'Deleted', example: {} })
  @ApiResponse({ status: 404, description: 'No such database' })
  @Delete(':tenant/databases/:database')
  async deleteDatabase(@Param('tenant') tenant: string, @Param('database') database: string) {
    await withDatabaseNotFound(this.collections.deleteDatabase({ tenant, database }), (name) =>
      ChromaHttpError.notFound(`Database [${name}] not found`),
    );
    return {};
  }
}
