import { Global, Module } from '@nestjs/common';
import { CollectionsModule } from '../collections/collections.module';
import { RecordsModule } from '../records/records.module';
import { IndexBuilder } from './index-builder';
import { IndexGrower } from './index-grower';
import { SearchTuner } from './search-tuner';

/**
 * The background index builds and search tuning, and the status protocols report (Chroma's indexing_status). Imported
 * once, by the app; global, so that a protocol reads the status without owning the builder.
 */
@Global()
@Module({
  imports: [CollectionsModule, RecordsModule],
  providers: [IndexBuilder, SearchTuner, IndexGrower],
  // RecordsModule: /metrics reads the recall sampler's checks.
  exports: [IndexBuilder, SearchTuner, RecordsModule],
})
export class IndexingModule {}
