import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { CollectionsRepository } from './collections.repository';
import { CollectionsService } from './collections.service';
import { RecordTableRepository } from './record-table.repository';

@Module({
  imports: [TenantsModule],
  providers: [CollectionsRepository, RecordTableRepository, CollectionsService],
  exports: [CollectionsService, CollectionsRepository, RecordTableRepository],
})
export class CollectionsModule {}
