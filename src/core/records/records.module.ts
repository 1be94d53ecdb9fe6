import { Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { NamespaceAliasesRepository } from './namespace-aliases.repository';
import { NamespaceAliasesService } from './namespace-aliases.service';
import { NamespacesRepository } from './namespaces.repository';
import { NamespacesService } from './namespaces.service';
import { RangeKeyTracker } from './range-key-tracker';
import { RecallSampler } from './recall-sampler';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';
import { SearchRepository } from '../search/search.repository';
import { SearchService } from '../search/search.service';
import { SearchPlanExecutor } from '../search/plan-executor';

@Module({
  imports: [CollectionsModule],
  providers: [
    RecordsRepository,
    NamespacesRepository,
    NamespaceAliasesRepository,
    NamespaceAliasesService,
    RangeKeyTracker,
    RecallSampler,
    RecordsService,
    NamespacesService,
    SearchRepository,
    SearchService,
    SearchPlanExecutor,
  ],
  exports: [
    RecordsService,
    RecordsRepository,
    NamespacesService,
    NamespaceAliasesService,
    RangeKeyTracker,
    RecallSampler,
    // Searches come in through the plan's executor only (its `ranked` runs SearchService's rank algebra).
    SearchPlanExecutor,
  ],
})
export class RecordsModule {}
