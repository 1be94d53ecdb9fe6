import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { CollectionsModule } from '../core/collections/collections.module';
import { RecordsModule } from '../core/records/records.module';
import { TenantsModule } from '../core/tenants/tenants.module';
import type { DatabaseOpener } from '../database/database';
import { DatabaseModule } from '../database/database.module';
import { Exporter } from './exporter';
import { Importer } from './importer';

/** The core without any protocol or HTTP: what the import and export commands run on. */
@Module({})
export class TransferModule {
  /** `opener`: which command opens the database, and whether it may create an embedded one. */
  static forRoot(config: AppConfig, opener: DatabaseOpener): DynamicModule {
    return {
      module: TransferModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(undefined, opener),
        TenantsModule,
        CollectionsModule,
        RecordsModule,
      ],
      providers: [Importer, Exporter],
    };
  }
}
