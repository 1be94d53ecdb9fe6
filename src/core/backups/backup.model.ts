import type { IndexSettings, Metric, RecordIndexes, VectorField } from '../collections/collection.model';
import type { TextField } from '../text/text-field';

/** How many backups one collection holds at most (VECGATE_MAX_BACKUPS_PER_COLLECTION), as the app configures it. */
export const MAX_BACKUPS_PER_COLLECTION = Symbol('MAX_BACKUPS_PER_COLLECTION');
export const DEFAULT_MAX_BACKUPS_PER_COLLECTION = 10;

/** Backup and restore job ids are uuids the gateway made; anything else names nothing. */
export const BACKUP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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
  /** The collection's named vectors, whose columns the copy holds at the same positions. */
  vectors: VectorField[];
  /** The collection's text fields: a restore declares them again, and its trigger analyses the copies. */
  textFields: TextField[];
  metadata: Record<string, unknown> | null;
  schema: unknown;
  namespaces: string[];
  /** The namespaces that index only some metadata keys, with those keys. */
  namespaceFilterable: Record<string, string[]>;
  /** The namespace aliases, {alias: target}: a restore gives them to the new collection. */
  namespaceAliases: Record<string, string>;
  recordCount: number;
  sizeBytes: number;
  tableName: string;
  /** The SHA-256 (hex) and size in bytes of the backup's file as its protocol writes it out, once counted. */
  fileChecksum: string | null;
  fileSize: number | null;
  /** The set it was taken in (a full-storage snapshot), or null for a backup of its own. */
  setId: string | null;
  createdAt: Date;
}

/** Backups taken together in one transaction, one of each collection of a database. */
export interface BackupSet {
  id: string;
  databaseId: string;
  description: string | null;
  fileChecksum: string | null;
  fileSize: number | null;
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

/** Where a page of a list starts: after this (created_at, id), in that order. */
export interface PageStart {
  limit: number;
  after: { createdAt: Date; id: string } | null;
}

/** One page of a list ordered by creation; `after` is where the next page starts. */
export interface Page<T> {
  items: T[];
  after: { createdAt: Date; id: string } | null;
}
