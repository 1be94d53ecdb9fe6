import type { Backup, RestoreJob } from '../../core/backups/backup.model';
import { pineconeExtras, pineconeMetric } from './index-spec';
import { vectorField } from './index.mapper';

/** Pinecone's BackupModel (API 2025-04 and later). */
export function backupModel(backup: Backup) {
  const extras = pineconeExtras(backup);
  const metric = pineconeMetric(backup.metric);
  const deployment = extras.deployment;
  return {
    backup_id: backup.id,
    source_index_name: backup.sourceName,
    source_index_id: backup.sourceId,
    name: backup.name,
    description: backup.description,
    status: 'Ready',
    cloud: typeof deployment.cloud === 'string' ? deployment.cloud : 'aws',
    region: typeof deployment.region === 'string' ? deployment.region : 'us-east-1',
    // A document index's backup carries its document schema (2026-07), no index-wide vector settings.
    ...(extras.documents
      ? { schema: { fields: extras.documents } }
      : {
          ...(extras.vector_type === 'dense' ? { dimension: backup.dimension } : {}),
          metric,
          schema: { fields: { ...extras.schema_fields, ...vectorField(extras.vector_type, metric, backup.dimension) } },
        }),
    record_count: backup.recordCount,
    namespace_count: backup.namespaces.length,
    size_bytes: backup.sizeBytes,
    tags: extras.tags,
    created_at: backup.createdAt.toISOString(),
  };
}

/** Pinecone's RestoreJobModel: a job is written once its copy has committed. */
export function restoreJobModel(job: RestoreJob) {
  return {
    restore_job_id: job.id,
    backup_id: job.backupId,
    target_index_name: job.targetName,
    target_index_id: job.targetId,
    status: job.status,
    created_at: job.createdAt.toISOString(),
    completed_at: job.completedAt?.toISOString() ?? null,
    percent_complete: job.percentComplete,
  };
}
