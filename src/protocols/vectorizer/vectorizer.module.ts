import { Module } from '@nestjs/common';
import { VectorizerQdrantService } from './vectorizer-qdrant.service';
import { CollectionsModule } from '../../core/collections/collections.module';
import { RecordsModule } from '../../core/records/records.module';
import { VectorizerCollectionsController } from './controllers/collections.controller';
import { VectorizerQdrantController } from './controllers/qdrant.controller';
import { VectorizerSearchController } from './controllers/search.controller';
import { VectorizerVectorsController } from './controllers/vectors.controller';
import { VectorizerService } from './vectorizer.service';

/** Vectorizer's REST API (hivellm/vectorizer) and the Qdrant-compatible routes its SDK uses. */
@Module({
  imports: [CollectionsModule, RecordsModule],
  controllers: [
    VectorizerCollectionsController,
    VectorizerVectorsController,
    VectorizerSearchController,
    VectorizerQdrantController,
  ],
  providers: [VectorizerService, VectorizerQdrantService],
})
export class VectorizerModule {}
