import { Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { AliasesRepository } from './aliases.repository';
import { AliasesService } from './aliases.service';
import { CollectionsRepository } from './collections.repository';
import { CollectionsService } from './collections.service';
import { HnswBuildsRepository } from './hnsw-builds.repository';
import { RangeIndexRepository } from './range-index.repository';
import { RecordTableRepository } from './record-table.repository';
import { RecallSamplesRepository } from './recall-samples.repository';
import { SearchTuningRepository } from './search-tuning.repository';
import { TextFieldsRepository } from '../text/text-fields.repository';
import { TextAnalysisService } from '../text/text-analysis.service';

@Module({
  imports: [TenantsModule],
  providers: [
    CollectionsRepository,
    RecordTableRepository,
    RangeIndexRepository,
    SearchTuningRepository,
    HnswBuildsRepository,
    RecallSamplesRepository,
    CollectionsService,
    AliasesRepository,
    AliasesService,
    TextFieldsRepository,
    TextAnalysisService,
  ],
  exports: [
    TextFieldsRepository,
    TextAnalysisService,
    CollectionsService,
    AliasesService,
    CollectionsRepository,
    RecordTableRepository,
    RangeIndexRepository,
    SearchTuningRepository,
    HnswBuildsRepository,
    RecallSamplesRepository,
  ],
})
export class CollectionsModule {}
