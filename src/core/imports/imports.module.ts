import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { ImportsRepository } from './imports.repository';
import { ImportsService } from './imports.service';

/** Bulk imports' jobs. IMPORT_SOURCES, what they read, is provided by the global BulkImportModule. */
@Module({
  imports: [CollectionsModule],
  providers: [ImportsRepository, ImportsService],
  exports: [ImportsService],
})
export class ImportsModule {}
