import { Inject, Injectable } from '@nestjs/common';
import { currentPrincipal } from '../../core/auth/request-context';
import { CollectionsService } from '../../core/collections/collections.service';
import { TenantsService } from '../../core/tenants/tenants.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { ChromaHttpError } from './chroma-error';
import { validateLength } from './chroma-names';
import type { CreateDatabaseDto, CreateTenantDto } from './dto/tenant.dto';
import { pageOf } from './pagination';
import { withDatabaseNotFound } from './reword';

/** Chroma's tenants and databases, the caller's identity, and reset. */
@Injectable()
export class ChromaTenantsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tenants: TenantsService,
    private readonly collections: CollectionsService,
  ) {}

  async createTenant(body: CreateTenantDto): Promise<Record<string, never>> {
    validateLength('name', body.name);
    await this.tenants.createTenant(body.name);
    return {};
  }

  getTenant(tenant: string): Promise<{ name: string }> {
    return this.tenants.getTenant(tenant);
  }

  listDatabases(tenant: string, limit?: string, offset?: string) {
    const page = pageOf(limit, offset);
    return this.tenants.listDatabases(tenant, page.limit, page.offset);
  }

  async createDatabase(tenant: string, body: CreateDatabaseDto): Promise<Record<string, never>> {
    validateLength('database_name', body.name);
    await this.tenants.createDatabase(tenant, body.name);
    return {};
  }

  getDatabase(tenant: string, database: string) {
    return this.tenants.getDatabase(tenant, database);
  }

  /** A database with its collections. */
  async deleteDatabase(tenant: string, database: string): Promise<Record<string, never>> {
    await withDatabaseNotFound(this.collections.deleteDatabase({ tenant, database }), (name) =>
      ChromaHttpError.notFound(`Database [${name}] not found`),
    );
    return {};
  }

  /** Without auth, the defaults (as Chroma); with a key, its tenant and databases ('*': all). */
  identity() {
    const principal = currentPrincipal();
    if (!principal) return { user_id: '', tenant: 'default_tenant', databases: ['default_database'] };
    return { user_id: principal.keyId, tenant: principal.tenant, databases: principal.databases ?? ['*'] };
  }

  /** Every tenant, database and collection, when CHROMA_ALLOW_RESET allows it. */
  async reset(): Promise<true> {
    if (!this.config.chromaAllowReset) throw new ChromaHttpError(403, 'ChromaError', 'Reset is disabled by config');
    await this.collections.reset();
    return true;
  }
}
