import type { IndexSettings, SearchTuning } from '../collections/collection.model';
import { RECALL_AT } from '../collections/search-tuning.repository';

/**
 * In words, for a person, why a collection's searches do not reach the recall target and what the
 * operator can do; null when they do (or nothing was measured). What the tuner tried: every
 * ef_search up to the widest, and reading every record, which it keeps only while that costs at
 * most VECGATE_EXACT_IF_MISSED_WITHIN times the widest walk (docs/storage-and-search.md). Said in Chroma's indexing_status, the
 * console's Quality tab and the log, beside the /metrics gauge.
 */
export function recallShortfall(
  tuning: SearchTuning | null,
  index: IndexSettings,
  exactIfMissedWithin: number,
): string | null {
  if (!tuning || tuning.exact || tuning.recall >= tuning.target) return null;
  const exact =
    exactIfMissedWithin === 0
      ? 'reading every record instead is turned off (VECGATE_EXACT_IF_MISSED_WITHIN=0)'
      : `reading every record instead costs more than ${exactIfMissedWithin} times that walk`;
  return (
    `Searches do not reach the recall target ${tuning.target}: the widest HNSW walk tried ` +
    `(ef_search ${tuning.efSearch}) found ${tuning.recall.toFixed(3)} of the ${RECALL_AT} nearest ` +
    `on ${tuning.source === 'traffic' ? "the collection's sampled searches" : 'queries near and between its records'} ` +
    `(${tuning.records} records, ${tuning.msPerSearch.toFixed(2)} ms a search), and ${exact}. The index was built with m ${index.m} and ` +
    `ef_construction ${index.efConstruction}: rebuilding it with larger ones (the collection's HNSW ` +
    `settings) usually raises the recall a walk reaches; or lower VECGATE_RECALL_TARGET.`
  );
}
