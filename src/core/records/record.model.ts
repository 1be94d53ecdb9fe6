import type { FilterNode } from '../filters/filter-ast';
import type { DenseVector } from './dense-vector';
import type { MultiVector } from './multivector';

/** A sparse vector in pgvector's sparsevec text form (`{1:0.5,7:0.25}/1000000000`, 1-based). */
export interface SparseText {
  text: string;
}

/**
 * One record of a write. `undefined` fields were not sent and keep their stored value on
 * upsert/update; a metadata key whose value is null is removed by a merge.
 */
export interface RecordWrite {
  id: string;
  embedding?: DenseVector;
  sparse?: SparseText;
  /** The collection's named vectors (VectorField), by name: a dense, sparse or multivector one as declared. */
  vectors?: Record<string, DenseVector | SparseText | MultiVector>;
  document?: string | null;
  uri?: string | null;
  metadata?: Record<string, unknown> | null;
}

/**
 * add: new ids only, existing ones are left alone.
 * merge: insert new ids; for existing ones overwrite the fields sent and merge metadata key by key.
 * update: like merge, for existing ids only; unknown ids are ignored.
 * replace: insert, or overwrite the vector, sparse vector and metadata whole (document and uri stay).
 * overwrite: for existing ids only, overwrite the fields sent, metadata whole (`{}` clears it).
 */
export type WriteMode = 'add' | 'merge' | 'update' | 'replace' | 'overwrite';

/**
 * A change to the metadata of the records a filter matches, kept as sent (null values included,
 * as a payload may hold them):
 * merge: the keys of `patch` overwrite the record's, at the top or inside the object at `at`;
 * replace: the metadata becomes `metadata`; unset: the keys at these paths go; clear: none is left.
 */
export type MetadataEdit =
  | { kind: 'merge'; patch: Record<string, unknown>; at?: string[] }
  | { kind: 'replace'; metadata: Record<string, unknown> }
  | { kind: 'unset'; paths: string[][] }
  | { kind: 'clear' };

/**
 * Conditions on a write to records that exist already: only those the filter matches are changed
 * (the others keep their state), and with `insert` false new ids are not inserted (Qdrant's
 * update_filter and update_mode). For the modes that change existing records: merge, update,
 * replace, overwrite.
 */
export interface WriteConditions {
  where?: FilterNode;
  insert?: boolean;
}

/** One operation of a batch that commits whole or not at all (RecordsService.batch). */
export type RecordOperation =
  | { kind: 'write'; mode: WriteMode; records: RecordWrite[]; conditions?: WriteConditions }
  | { kind: 'delete'; filter: FilterNode }
  | { kind: 'editMetadata'; filter: FilterNode; edit: MetadataEdit }
  /** The dense and/or sparse vector, and named ones, of the matching records are removed (the records stay). */
  | { kind: 'clearVectors'; filter: FilterNode; dense: boolean; sparse: boolean; named?: string[] };

export interface Include {
  embeddings: boolean;
  sparse?: boolean;
  /** The named vectors, all of them. */
  vectors?: boolean;
  documents: boolean;
  metadatas: boolean;
  uris: boolean;
}

export interface StoredRecord {
  id: string;
  /** pgvector's text form; parsed by the protocol that shows it. */
  embedding?: string | null;
  /** pgvector's sparsevec text form. */
  sparse?: string | null;
  /** Named vectors the record holds, by name, in pgvector's text forms. */
  vectors?: Record<string, string>;
  document?: string | null;
  uri?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface Neighbour extends StoredRecord {
  /** The raw pgvector operator value (<->, <#> or <=>); each protocol turns it into its own score. */
  distance: number;
}
