import { Module } from '@nestjs/common';
import { CollectionsModule } from '../../core/collections/collections.module';
import { RecordsModule } from '../../core/records/records.module';
import { TenantsModule } from '../../core/tenants/tenants.module';
import { ChromaCollectionsService } from './chroma-collections.service';
import { ChromaInferenceService } from './chroma-inference.service';
import { ChromaRecordsService } from './chroma-records.service';
import { ChromaTenantsService } from './chroma-tenants.service';
import { ChromaCollectionsController } from './controllers/collections.controller';
import { ChromaCrnController } from './controllers/crn.controller';
import { ChromaRecordsController } from './controllers/records.controller';
import { ChromaSystemController } from './controllers/system.controller';
import { ChromaTenantsController } from './controllers/tenants.controller';

/** Chroma's v2 REST API under /api/v2: controllers route, the Chroma services parse and map, the core does the work. */
@Module({
  imports: [TenantsModule, CollectionsModule, RecordsModule],
  providers: [ChromaTenantsService, ChromaCollectionsService, ChromaRecordsService, ChromaInferenceService],
  controllers: [
    ChromaSystemController,
    ChromaTenantsController,
    ChromaCollectionsController,
    ChromaCrnController,
    ChromaRecordsController,
  ],
})
export class ChromaModule {}
