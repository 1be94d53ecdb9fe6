import { Module } from '@nestjs/common';
import { PineconeNamespacesService } from './pinecone-namespaces.service';
import { CollectionsModule } from '../../core/collections/collections.module';
import { RecordsModule } from '../../core/records/records.module';
import { BackupsModule } from '../../core/backups/backups.module';
import { ImportsModule } from '../../core/imports/imports.module';
import { PineconeBulkImportsController } from './controllers/bulk-imports.controller';
import { PineconeBulkImportsService } from './pinecone-bulk-imports.service';
import { PineconeBackupsController } from './controllers/backups.controller';
import { PineconeBackupsService } from './pinecone-backups.service';
import { PineconeIndexesController } from './controllers/indexes.controller';
import { PineconeNamespacesController } from './controllers/namespaces.controller';
import { PineconeVectorsController } from './controllers/vectors.controller';
import { PineconeIndexesService } from './pinecone-indexes.service';
import { PineconeVectorsService } from './pinecone-vectors.service';

/** Pinecone's REST API: control plane at /indexes, each index's data plane under /indexes/{name}. */
@Module({
  imports: [CollectionsModule, RecordsModule, BackupsModule, ImportsModule],
  controllers: [
    PineconeIndexesController,
    PineconeNamespacesController,
    PineconeVectorsController,
    PineconeBackupsController,
    PineconeBulkImportsController,
  ],
  providers: [
    PineconeIndexesService,
    PineconeVectorsService,
    PineconeNamespacesService,
    PineconeBackupsService,
    PineconeBulkImportsService,
  ],
})
export class PineconeModule {}
