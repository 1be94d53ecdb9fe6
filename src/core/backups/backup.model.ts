import type { IndexSettings, Metric, RecordIndexes } from '../collections/collection.model';

/** A copy of a collection's records and settings, taken at one instant. */
export interface Backup {
  id: string;
  databaseId: string;
  name: string | null;
  description: string | null;
  /** The collection it was taken of, which may since have been deleted. */
  sourceId: string;
  sourceName: string;
  dimension: number | null;
  metric: Metric;
  index: IndexSettings;
  extras: Record<string, unknown>;
  recordIndexes: RecordIndexes;
  metadata: Record<string, unknown> | null;
  schema: unknown;
  namespaces: string[];
  /** The namespaces that index only some metadata keys, with those keys. */
  namespaceFilterable: Record<string, string[]>;
  recordCount: number;
  sizeBytes: number;
  tableName: string;
  createdAt: Date;
}

/** A collection made from a backup. */
export interface RestoreJob {
  id: string;
  backupId: string;
  targetName: string;
  targetId: string;
  status: 'Completed';
  percentComplete: number;
  createdAt: Date;
  completedAt: Date | null;
}

/** One page of a list ordered by creation; `after` is where the next page starts. */
export interface Page<T> {
  items: T[];
  after: { createdAt: Date; id: string } | null;
}
