import type { Collection } from '../collections/collection.model';
import type { RecordWrite } from '../records/record.model';
import type { Scope } from '../scope';

export type ImportStatus = 'Pending' | 'InProgress' | 'Failed' | 'Completed' | 'Cancelled';
/** What a bad record does to its import: skipped (and counted), or the end of the import. */
export type ImportErrorMode = 'continue' | 'abort';

/** Import job ids are decimal numbers the database hands out; anything else names nothing. */
export const IMPORT_ID = /^[1-9]\d{0,17}$/;

/**
 * What an import's files hold: Pinecone's Parquet layout of vectors (id, values, sparse_values,
 * metadata), or JSONL documents, one a line, which the protocol of the index maps to records.
 */
export type ImportFormat = 'parquet' | 'jsonl';

/** One file of an import: its records go to `namespace`; `location` is what the source reads. */
export interface ImportPart {
  namespace: string;
  location: string;
  rows: number;
  /** Absent for Parquet (jobs started before JSONL imports have none). */
  format?: 'jsonl';
}

/** The files an import reads, in order, found when it starts: a job reads exactly these. */
export interface ImportPlan {
  parts: ImportPart[];
}

/** Where an import stands: the next row to read. */
export interface ImportCursor {
  part: number;
  row: number;
}

export interface ImportJob {
  id: string;
  collectionId: string;
  /** The collection's tenant and database, which the background runner writes as. */
  scope: Scope;
  uri: string;
  status: ImportStatus;
  errorMode: ImportErrorMode;
  parts: ImportPart[];
  rowsTotal: number;
  rowsDone: number;
  cursor: ImportCursor;
  recordsImported: number;
  recordsSkipped: number;
  percentComplete: number;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** One page of a collection's imports, by id; `after` is where the next one starts. */
export interface ImportPage {
  items: ImportJob[];
  after: string | null;
}

/**
 * Where imports read from, provided outside the core (src/transfer/bulk-import): what a URI names,
 * checked against the operator's settings. Refusals are InvalidArgumentError or ForbiddenError.
 */
export interface ImportSources {
  plan(uri: string, format: ImportFormat): Promise<ImportPlan>;
}

/**
 * A document of a JSONL import as the record it writes, by the rules of the protocol whose index
 * it goes to (set by that protocol: ImportsService.readDocumentsWith); throws why it cannot be one.
 */
export type ImportDocumentReader = (collection: Collection, document: unknown, where: string) => RecordWrite;

export const IMPORT_SOURCES = Symbol('IMPORT_SOURCES');

/** The job was cancelled, deleted with its index, or taken by another replica since its last batch. */
export class ImportMovedOnError extends Error {}
