import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { RecordsModule } from '../records/records.module';
import { TenantsModule } from '../tenants/tenants.module';
import { BackupsRepository } from './backups.repository';
import { BackupsService } from './backups.service';

@Module({
  imports: [TenantsModule, CollectionsModule, RecordsModule],
  providers: [BackupsRepository, BackupsService],
  exports: [BackupsService],
})
export class BackupsModule {}
