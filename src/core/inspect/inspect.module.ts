import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { RecordsModule } from '../records/records.module';
import { ExplainRepository } from './explain.repository';
import { ExplainService } from './explain.service';
import { OverviewRepository } from './overview.repository';
import { OverviewService } from './overview.service';

/** Looking inside: the catalog with sizes and index states, search quality, and explained statements (the web console's core). */
@Module({
  imports: [CollectionsModule, RecordsModule],
  providers: [OverviewRepository, OverviewService, ExplainRepository, ExplainService],
  exports: [OverviewService, ExplainService],
})
export class InspectModule {}
