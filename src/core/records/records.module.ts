import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { NamespacesRepository } from './namespaces.repository';
import { NamespacesService } from './namespaces.service';
import { RangeKeyTracker } from './range-key-tracker';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';

@Module({
  imports: [CollectionsModule],
  providers: [RecordsRepository, NamespacesRepository, RangeKeyTracker, RecordsService, NamespacesService],
  exports: [RecordsService, NamespacesService, RangeKeyTracker],
})
export class RecordsModule {}
