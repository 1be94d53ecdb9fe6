import { Inject, Injectable, Logger } from '@nestjs/common';
import { Collection } from '../collections/collection.model';
import { RangeIndexRepository, type KeyIndexKind } from '../collections/range-index.repository';
import { INDEXING_OPTIONS, IndexingOptions } from '../indexing/indexing-options';
import { Database } from '../../database/database';
import { FilterNode } from '../filters/filter-ast';
import { numericRangeKeys, valueKeys } from '../filters/range-keys';

/** Bounds the memory of what this process has noted (a client can send any number of keys). */
const MAX_REMEMBERED = 10_000;

/**
 * Notes the metadata keys that numeric range filters are sent on, so that IndexBuilder gives them
 * an index (RangeIndexRepository), and those tested for values, which it gives statistics. Each
 * key is written to the catalog once per process, after the call's own statement and outside it:
 * the call neither waits for it nor fails with it.
 */
@Injectable()
export class RangeKeyTracker {
  private readonly logger = new Logger('RangeKeyTracker');
  private readonly noted = new Set<string>();

  constructor(
    @Inject(INDEXING_OPTIONS) private readonly options: IndexingOptions,
    private readonly db: Database,
    private readonly repository: RangeIndexRepository,
  ) {}

  note(collection: Collection, filter: FilterNode): void {
    if (filter.kind === 'all') return;
    this.noteAll(collection, numericRangeKeys(filter), this.options.rangeKeys);
    // Statistics of the values at keys tested for values: as many keys as range keys, counted apart.
    this.noteAll(collection, valueKeys(filter), this.options.rangeKeys, 'values');
  }

  /**
   * Notes top-level keys a collection declared filterable (Pinecone's metadata schema), before any
   * filter is sent: all of them, besides VECGATE_RANGE_INDEX_KEYS keys from filters (0 still means none).
   */
  noteKeys(collection: Collection, keys: (string | string[])[], kind: KeyIndexKind = 'number'): void {
    if (this.options.rangeKeys === 0) return;
    this.noteAll(
      collection,
      keys.map((k) => (Array.isArray(k) ? k : [k])),
      this.options.rangeKeys + keys.length,
      kind,
    );
  }

  /** Forgets a key noted for an index of that kind, and drops the index (a Qdrant field index deleted). */
  async forgetKey(collection: Collection, key: string | string[], kind: KeyIndexKind): Promise<void> {
    const path = Array.isArray(key) ? key : [key];
    this.noted.delete(JSON.stringify([collection.id, path, kind]));
    await this.db.transaction((tx) => this.repository.forget(tx, collection.id, path, kind));
  }

  private noteAll(collection: Collection, keys: Iterable<string[]>, max: number, kind: KeyIndexKind = 'number'): void {
    if (max === 0) return;
    for (const key of keys) {
      const memo = JSON.stringify([collection.id, key, kind]);
      if (this.noted.has(memo)) continue;
      if (this.noted.size >= MAX_REMEMBERED) this.noted.clear();
      this.noted.add(memo);
      // A key Postgres cannot store (a NUL), or a collection deleted meanwhile: nothing to index.
      this.repository
        .note(this.db, collection.id, key, max, kind)
        .catch((err) => this.logger.debug(`range key not noted: ${err?.message ?? err}`));
    }
  }
}
