import { IndexingModule } from '../../indexing/indexing.module';
import { Module } from '@nestjs/common';
import { APP_PIPE } from '@nestjs/core';
import { CollectionsModule } from '../../collections/collections.module';
import { RecordsModule } from '../../records/records.module';
import { TenantsModule } from '../../tenants/tenants.module';
import { ChromaCollectionsController } from './controllers/collections.controller';
import { ChromaCrnController } from './controllers/crn.controller';
import { ChromaRecordsController } from './controllers/records.controller';
import { ChromaSystemController } from './controllers/system.controller';
import { ChromaTenantsController } from './controllers/tenants.controller';

/** Chroma's v2 REST API under /api/v2. */
@Module({
  imports: [TenantsModule, CollectionsModule, RecordsModule, IndexingModule],
  controllers: [
    ChromaSystemController,
    ChromaTenantsController,
    ChromaCollectionsController,
    ChromaCrnController,
    ChromaRecordsController,
  ],
})
export class ChromaModule {}
