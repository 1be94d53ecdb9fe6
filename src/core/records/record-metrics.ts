/**
 * What the records services report once a write or delete has committed. The operations layer
 * counts it (as Prometheus counters, labelled with the protocol of the request being served); the
 * core knows only this interface, and without a provider nothing is counted.
 */
export interface RecordMetrics {
  /** `count` records written by a committed `operation` (a WriteMode, or `patch` for update-by-filter). */
  written(operation: string, count: number): void;
  /** `count` records deleted by a committed call. */
  deleted(count: number): void;
  /** A dense search of the collection was served in `ms` (the console's latency over time). */
  searched?(collectionId: string, ms: number): void;
}

export const RECORD_METRICS = Symbol('RECORD_METRICS');
