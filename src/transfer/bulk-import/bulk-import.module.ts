import { Global, Module } from '@nestjs/common';
import { CollectionsModule } from '../../core/collections/collections.module';
import { IMPORT_SOURCES } from '../../core/imports/import.model';
import { ImportsModule } from '../../core/imports/imports.module';
import { RecordsModule } from '../../core/records/records.module';
import { ImportRunner } from './import-runner';
import { ParquetImportSources } from './import-sources';

/**
 * Bulk imports' sources (the core's IMPORT_SOURCES: Parquet files the settings allow) and their
 * background runner. Global, so that the core's ImportsModule, wherever a protocol imports it,
 * finds its sources without the core importing this layer. Imported once, by the app.
 */
@Global()
@Module({
  imports: [CollectionsModule, RecordsModule, ImportsModule],
  providers: [ParquetImportSources, { provide: IMPORT_SOURCES, useExisting: ParquetImportSources }, ImportRunner],
  exports: [IMPORT_SOURCES],
})
export class BulkImportModule {}
