import type { ImportJob } from '../../core/imports/import.model';

/**
 * Pinecone's ImportModel. A Completed import that skipped records (errorMode `continue`) says how
 * many and why the first was, in `error`: Pinecone says nothing of them, which leaves a client
 * unable to tell.
 */
export function importModel(job: ImportJob): Record<string, unknown> {
  const error =
    job.recordsSkipped > 0 && job.status !== 'Failed'
      ? `${job.recordsSkipped} record(s) skipped; the first: ${job.error}`
      : job.error;
  return {
    id: job.id,
    uri: job.uri,
    status: job.status,
    createdAt: job.createdAt.toISOString(),
    ...(job.finishedAt ? { finishedAt: job.finishedAt.toISOString() } : {}),
    percentComplete: job.percentComplete,
    recordsImported: job.recordsImported,
    ...(error ? { error } : {}),
  };
}
