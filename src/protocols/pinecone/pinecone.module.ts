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
import { PineconeRecordsController } from './controllers/records.controller';
import { PineconeInferenceController } from './controllers/inference.controller';
import { PineconeRecordsService } from './pinecone-records.service';
import { PineconeInferenceService } from './pinecone-inference.service';
import { PineconeDocumentsController } from './controllers/documents.controller';
import { PineconeBackupSchedulesController } from './controllers/backup-schedules.controller';
import { PineconeDocumentsService } from './pinecone-documents.service';
import { PineconeNamespaceAliasesController } from './controllers/namespace-aliases.controller';
import { PineconeNamespaceAliasesService } from './pinecone-namespace-aliases.service';

/**
 * Pinecone's REST API: control plane at /indexes, each index's data plane under /indexes/{name},
 * the inference API (/embed, /rerank, /models) at the root.
 */
@Module({
  imports: [CollectionsModule, RecordsModule, BackupsModule, ImportsModule],
  controllers: [
    PineconeIndexesController,
    PineconeNamespacesController,
    PineconeVectorsController,
    PineconeBackupsController,
    PineconeBulkImportsController,
    PineconeRecordsController,
    PineconeInferenceController,
    PineconeDocumentsController,
    PineconeBackupSchedulesController,
    PineconeNamespaceAliasesController,
  ],
  providers: [
    PineconeIndexesService,
    PineconeVectorsService,
    PineconeNamespacesService,
    PineconeBackupsService,
    PineconeBulkImportsService,
    PineconeRecordsService,
    PineconeInferenceService,
    PineconeDocumentsService,
    PineconeNamespaceAliasesService,
  ],
})
export class PineconeModule {}
