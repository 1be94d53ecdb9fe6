/** A vector in pgvector's text form (a JSON array), with its length. */
export interface VectorText {
  text: string;
  dimension: number;
}

/**
 * One record of a write. `undefined` fields were not sent and keep their stored value on
 * upsert/update; a metadata key whose value is null is removed by a merge.
 */
export interface RecordWrite {
  id: string;
  embedding?: VectorText;
  document?: string | null;
  uri?: string | null;
  metadata?: Record<string, unknown> | null;
}

/**
 * add: new ids only, existing ones are left alone.
 * merge: insert new ids; for existing ones overwrite the fields sent and merge metadata key by key.
 * update: like merge, for existing ids only; unknown ids are ignored.
 */
export type WriteMode = 'add' | 'merge' | 'update';

export interface Include {
  embeddings: boolean;
  documents: boolean;
  metadatas: boolean;
  uris: boolean;
}

export interface StoredRecord {
  id: string;
  /** pgvector's text form; parsed by the protocol that shows it. */
  embedding?: string;
  document?: string | null;
  uri?: string | null;
  metadata?: Record<string, unknown> | null;
}

export interface Neighbour extends StoredRecord {
  /** The raw pgvector operator value (<->, <#> or <=>); each protocol turns it into its own score. */
  distance: number;
}
