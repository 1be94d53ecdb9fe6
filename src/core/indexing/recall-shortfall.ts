import type { IndexSettings, SearchTuning } from '../collections/collection.model';
import type { HnswBuild } from '../collections/hnsw-builds.repository';
import { RECALL_AT } from '../collections/search-tuning.repository';
import { explicitBuild, nextStep } from './growth-steps';
import type { IndexingOptions } from './indexing-options';

/** The operator's settings the words name. */
type ShortfallOptions = Pick<IndexingOptions, 'exactIfMissedWithin' | 'rebuildMaxMinutes' | 'rebuildMaxSize'>;

/**
 * In words, for a person, why a collection's searches do not reach the recall target and what the
 * operator can do; null when they do (or nothing was measured). What the gateway tried: every
 * ef_search up to the widest; reading every record, which it keeps only while that costs at most
 * VECGATE_EXACT_IF_MISSED_WITHIN times the widest walk; and rebuilding the index larger
 * (IndexGrower, `builds`), within VECGATE_REBUILD_MAX_MINUTES and VECGATE_REBUILD_MAX_SIZE
 * (docs/storage-and-search.md). Said in Chroma's indexing_status, the console's Quality tab and
 * the log, beside the /metrics gauge.
 */
export function recallShortfall(
  tuning: SearchTuning | null,
  index: IndexSettings,
  options: ShortfallOptions,
  builds: HnswBuild[] = [],
): string | null {
  if (!tuning || tuning.exact || tuning.recall >= tuning.target) return null;
  const exact =
    options.exactIfMissedWithin === 0
      ? 'reading every record instead is turned off (VECGATE_EXACT_IF_MISSED_WITHIN=0)'
      : `reading every record instead costs more than ${options.exactIfMissedWithin} times that walk`;
  return (
    `Searches do not reach the recall target ${tuning.target}: the widest HNSW walk tried ` +
    `(ef_search ${tuning.efSearch}) found ${tuning.recall.toFixed(3)} of the ${RECALL_AT} nearest ` +
    `on ${tuning.source === 'traffic' ? "the collection's sampled searches" : 'queries near and between its records'} ` +
    `(${tuning.records} records, ${tuning.msPerSearch.toFixed(2)} ms a search), and ${exact}. ` +
    rebuilds(index, options, builds)
  );
}

/** What was done about the index itself, and what the operator can do next. */
function rebuilds(index: IndexSettings, options: ShortfallOptions, builds: HnswBuild[]): string {
  const now = `m ${index.m} and ef_construction ${index.efConstruction}`;
  if (explicitBuild(index))
    return (
      `The index was built with the collection's own ${now}, which the gateway keeps: rebuilding it ` +
      `with larger ones (the collection's HNSW settings) usually raises the recall a walk reaches; ` +
      `or lower VECGATE_RECALL_TARGET.`
    );
  const built = builds.filter((b) => b.outcome === 'built');
  const grown = built.slice(1).map((b) => `m ${b.m} and ef_construction ${b.efConstruction}`);
  const tried = grown.length
    ? `The gateway rebuilt the index larger (${grown.join(', then ')}; built first with m ${built[0].m} and ef_construction ${built[0].efConstruction}). `
    : `The index is built with ${now}. `;
  const next = nextStep(index);
  const stopped =
    next && builds.find((b) => b.m === next.m && b.efConstruction === next.efConstruction && b.outcome !== 'built');
  let why: string;
  if (options.rebuildMaxMinutes === 0)
    why = 'Rebuilding it larger is turned off (VECGATE_REBUILD_MAX_MINUTES=0): set it to let the gateway do so';
  else if (!next)
    why = `No larger build is tried (m ${index.m} is the largest step): what remains is reading every record (VECGATE_EXACT_IF_MISSED_WITHIN)`;
  else if (!stopped)
    why = `A rebuild with m ${next.m} and ef_construction ${next.efConstruction} comes next, beside the index in use`;
  else if (stopped.outcome === 'too slow')
    why =
      `A rebuild with m ${next.m} and ef_construction ${next.efConstruction} takes longer than ` +
      `VECGATE_REBUILD_MAX_MINUTES (${options.rebuildMaxMinutes}) allows${stopped.ms ? ` (about ${Math.ceil(stopped.ms / 60_000)} minutes)` : ''}: raise it to let it run`;
  else if (stopped.outcome === 'too large')
    why =
      `A rebuild with m ${next.m} and ef_construction ${next.efConstruction} would be more than ` +
      `VECGATE_REBUILD_MAX_SIZE (${options.rebuildMaxSize}) times the size of the first index: raise it to let it run`;
  else why = `A rebuild with m ${next.m} and ef_construction ${next.efConstruction} failed (the log says why)`;
  return `${tried}${why}; or lower VECGATE_RECALL_TARGET.`;
}
