import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CollectionsService } from '../../../collections/collections.service';
import { TenantsService } from '../../../tenants/tenants.service';
import { validateLength } from '../chroma-names';
import { CreateDatabaseDto, CreateTenantDto } from '../dto/tenant.dto';
import { pageOf } from '../pagination';
import { withDatabaseNotFound } from '../reword';
import { ChromaHttpError } from '../chroma-error';

@Controller('api/v2/tenants')
export class ChromaTenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly collections: CollectionsService,
  ) {}

  @Post()
  @HttpCode(200)
  async createTenant(@Body() body: CreateTenantDto) {
    validateLength('name', body.name);
    await this.tenants.createTenant(body.name);
    return {};
  }

  @Get(':tenant')
  getTenant(@Param('tenant') tenant: string) {
    return this.tenants.getTenant(tenant);
  }

  @Get(':tenant/databases')
  listDatabases(@Param('tenant') tenant: string, @Query('limit') limit?: string, @Query('offset') offset?: string) {
    const page = pageOf(limit, offset);
    return this.tenants.listDatabases(tenant, page.limit, page.offset);
  }

  @Post(':tenant/databases')
  @HttpCode(200)
  async createDatabase(@Param('tenant') tenant: string, @Body() body: CreateDatabaseDto) {
    validateLength('database_name', body.name);
    await this.tenants.createDatabase(tenant, body.name);
    return {};
  }

  @Get(':tenant/databases/:database')
  getDatabase(@Param('tenant') tenant: string, @Param('database') database: string) {
    return this.tenants.getDatabase(tenant, database);
  }

  @Delete(':tenant/databases/:database')
  async deleteDatabase(@Param('tenant') tenant: string, @Param('database') database: string) {
    await withDatabaseNotFound(this.collections.deleteDatabase({ tenant, database }), (name) => ChromaHttpError.notFound(`Database [${name}] not found`));
    return {};
  }
}
