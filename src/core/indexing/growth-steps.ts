import { DEFAULT_INDEX, type IndexSettings } from '../collections/collection.model';
import type { HnswBuild } from '../collections/hnsw-builds.repository';

/** An HNSW index's build settings. */
export interface BuildSettings {
  m: number;
  efConstruction: number;
}

/**
 * The settings an index is rebuilt with, in turn, when no walk reaches the recall target: more
 * neighbours per node (m) make a graph a walk crosses in fewer wrong turns, and a wider build
 * (ef_construction) chooses them better. Each step costs about twice to three times the build
 * time of the one before (docs/benchmarks.md, "Rebuilt larger"); pgvector allows m up to 100 and
 * ef_construction up to 1000.
 */
export const GROWTH_STEPS: readonly BuildSettings[] = [
  { m: 16, efConstruction: 100 },
  { m: 24, efConstruction: 200 },
  { m: 32, efConstruction: 400 },
  { m: 48, efConstruction: 800 },
];

/**
 * Whether the client chose the index's build settings (never rebuilt with others). Catalog rows
 * from before the choice was recorded count as chosen when they differ from the defaults then.
 */
export function explicitBuild(index: IndexSettings): boolean {
  if (index.buildPinned !== undefined) return index.buildPinned;
  return !index.grown && (index.m !== DEFAULT_INDEX.m || index.efConstruction !== DEFAULT_INDEX.efConstruction);
}

/** The next step above an index's settings: more neighbours, and a build at least as wide; null past the last. */
export function nextStep(index: BuildSettings): BuildSettings | null {
  const step = GROWTH_STEPS.find((s) => s.m > index.m);
  return step ? { m: step.m, efConstruction: Math.max(step.efConstruction, index.efConstruction) } : null;
}

/**
 * Bytes of an index's neighbour lists per node and unit of m: pgvector keeps 2m neighbours of
 * 6-byte item pointers on the ground layer and m on each upper one (about 1/ln(m) more).
 */
const NEIGHBOUR_BYTES_PER_M = 13;

/**
 * What a build of `next` would take for `records` records, scaled from an earlier build of the
 * same vector: time by m x ef_construction (each insertion searches ef_construction candidates
 * and links m neighbours; an overestimate, as higher layers are shared), size by the neighbour
 * lists (the vectors stay as they are). Null where the earlier build was not timed or measured.
 */
export function predictBuild(
  from: Pick<HnswBuild, 'm' | 'efConstruction' | 'records' | 'ms' | 'bytes'>,
  next: BuildSettings,
  records: number,
): { ms: number | null; bytes: number | null } {
  const per = Math.max(1, from.records);
  const ms =
    from.ms === null
      ? null
      : (from.ms / per) * records * ((next.m * next.efConstruction) / (from.m * from.efConstruction));
  const bytes =
    from.bytes === null ? null : (from.bytes / per + NEIGHBOUR_BYTES_PER_M * Math.max(0, next.m - from.m)) * records;
  return { ms, bytes };
}

/**
 * Why the step to `next` is not begun, or null when it may be: the predicted time past
 * `maxMinutes`, or a size per record more than `maxSize` times the first index's.
 */
export function stepRefused(
  first: Pick<HnswBuild, 'records' | 'bytes'>,
  predicted: { ms: number | null; bytes: number | null },
  records: number,
  bounds: { maxMinutes: number; maxSize: number },
): 'too slow' | 'too large' | null {
  if (predicted.ms !== null && predicted.ms > bounds.maxMinutes * 60_000) return 'too slow';
  if (predicted.bytes !== null && first.bytes !== null) {
    const firstPerRecord = first.bytes / Math.max(1, first.records);
    if (predicted.bytes / Math.max(1, records) > bounds.maxSize * firstPerRecord) return 'too large';
  }
  return null;
}
