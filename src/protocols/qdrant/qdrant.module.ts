import { Module } from '@nestjs/common';
import { CollectionsModule } from '../../core/collections/collections.module';
import { RecordsModule } from '../../core/records/records.module';
import { BackupsModule } from '../../core/backups/backups.module';
import { QdrantSnapshotsController } from './controllers/snapshots.controller';
import { QdrantShardSnapshotsController } from './controllers/shard-snapshots.controller';
import { QdrantFullSnapshotsController } from './controllers/full-snapshots.controller';
import { QdrantSnapshotsService } from './qdrant-snapshots.service';
import { QdrantCollectionsController } from './controllers/collections.controller';
import { QdrantPointsController } from './controllers/points.controller';
import { QdrantServiceController } from './controllers/service.controller';
import { QdrantCollectionsService } from './qdrant-collections.service';
import { QdrantPointsService } from './qdrant-points.service';
import { QdrantQueryService } from './qdrant-query.service';
import { QdrantBm25 } from './qdrant-bm25';
import { QdrantRequestStats, QdrantStatsInterceptor } from './qdrant-request-stats';
import { QdrantTelemetryService } from './qdrant-telemetry.service';
import { QdrantRequestChecks } from './qdrant-validation';

/** Qdrant's REST API, served on its own port (QDRANT_PORT) under QDRANT_PREFIX. */
@Module({
  imports: [CollectionsModule, RecordsModule, BackupsModule],
  controllers: [
    QdrantServiceController,
    QdrantCollectionsController,
    QdrantPointsController,
    QdrantSnapshotsController,
    QdrantShardSnapshotsController,
    QdrantFullSnapshotsController,
  ],
  providers: [
    QdrantCollectionsService,
    QdrantPointsService,
    QdrantQueryService,
    QdrantSnapshotsService,
    QdrantBm25,
    QdrantRequestStats,
    QdrantStatsInterceptor,
    QdrantTelemetryService,
    QdrantRequestChecks,
  ],
})
export class QdrantModule {}
