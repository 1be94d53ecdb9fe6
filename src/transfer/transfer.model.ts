import type { Metric } from '../core/collections/collection.model';

/** A collection as it moves between stores: what recreating it needs. */
export interface TransferCollection {
  name: string;
  metric: Metric;
  dimension: number | null;
  metadata: Record<string, unknown> | null;
}

/** One record as it moves: every field any of vecgate's protocols keeps. */
export interface TransferRecord {
  namespace: string;
  id: string;
  embedding: number[] | null;
  /** 0-based indices, as Chroma and Pinecone write them. */
  sparse: { indices: number[]; values: number[] } | null;
  document: string | null;
  uri: string | null;
  metadata: Record<string, unknown> | null;
}

/** A page of a collection's records and where the next one starts (null: the last page). */
export interface Page {
  records: TransferRecord[];
  next: string | null;
}

/**
 * Where an import reads from. A cursor is the source's own (an offset, a token), kept in the
 * checkpoint as text, so that a resumed import asks for the page after the last one written.
 */
export interface Source {
  /** For messages and the checkpoint: which source this is. */
  readonly label: string;
  collections(): Promise<TransferCollection[]>;
  page(collection: TransferCollection, cursor: string | null, size: number): Promise<Page>;
  /** How many records the source holds for the collection (every namespace). */
  count(collection: TransferCollection): Promise<number>;
  /** The records of these ids, to compare with what was imported. */
  fetch(collection: TransferCollection, namespace: string, ids: string[]): Promise<TransferRecord[]>;
  close?(): Promise<void>;
}

/** A source's answer was not what its API promises: the import stops and says so. */
export class SourceError extends Error {}
