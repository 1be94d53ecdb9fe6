import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';

/** How an HNSW build of a collection's vector ended (vecgate_hnsw_builds). */
export type HnswBuildOutcome = 'built' | 'too slow' | 'too large' | 'failed';

/** One HNSW build of a collection's vector: its settings, what it took, how it ended. */
export interface HnswBuild {
  m: number;
  efConstruction: number;
  records: number;
  /** Null for an index built before builds were recorded; predicted, for a rebuild not begun. */
  ms: number | null;
  bytes: number | null;
  outcome: HnswBuildOutcome;
  builtAt: Date;
}

/** A measurement whose walks missed the target, on an index not rebuilt since. */
export interface MissedWalk {
  collectionId: string;
  position: number;
}

/** The record of HNSW builds, and the measurements that ask for a larger one (IndexGrower). */
@Injectable()
export class HnswBuildsRepository {
  /** Records a build (or one not begun or not finished) of these settings, replacing an earlier one of the same settings. */
  async record(
    db: Queryable,
    collectionId: string,
    position: number,
    build: Omit<HnswBuild, 'builtAt'>,
  ): Promise<void> {
    // The collection may have been deleted meanwhile: then there is nothing to record.
    await db.query(
      `INSERT INTO vecgate_hnsw_builds (collection_id, position, m, ef_construction, records, ms, bytes, outcome)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM vecgate_collections WHERE id = $1)
       ON CONFLICT (collection_id, position, m, ef_construction) DO UPDATE SET records = excluded.records,
         ms = excluded.ms, bytes = excluded.bytes, outcome = excluded.outcome, built_at = now()`,
      [
        collectionId,
        position,
        build.m,
        build.efConstruction,
        build.records,
        build.ms === null ? null : Math.round(build.ms),
        build.bytes === null ? null : Math.round(build.bytes),
        build.outcome,
      ],
    );
  }

  /** The builds of a collection's vector, oldest first. */
  async history(db: Queryable, collectionId: string, position: number): Promise<HnswBuild[]> {
    const { rows } = await db.query<{
      m: number;
      efConstruction: number;
      records: string;
      ms: string | null;
      bytes: string | null;
      outcome: HnswBuildOutcome;
      builtAt: Date;
    }>(
      `SELECT m, ef_construction AS "efConstruction", records::text, ms::text, bytes::text, outcome, built_at AS "builtAt"
       FROM vecgate_hnsw_builds WHERE collection_id = $1 AND position = $2 ORDER BY built_at, m, ef_construction`,
      [collectionId, position],
    );
    return rows.map((r) => ({
      ...r,
      records: Number(r.records),
      ms: r.ms === null ? null : Number(r.ms),
      bytes: r.bytes === null ? null : Number(r.bytes),
      builtAt: new Date(r.builtAt),
    }));
  }

  /**
   * Measurements at `target` whose walks missed it, on an index not rebuilt since (a rebuilt one
   * is measured again first), longest ago first: what IndexGrower looks at.
   */
  async missedWalks(db: Queryable, target: number, limit: number): Promise<MissedWalk[]> {
    const { rows } = await db.query<MissedWalk>(
      `SELECT collection_id AS "collectionId", position FROM vecgate_search_tuning
       WHERE walk_met = false AND NOT stale AND target = $1::real ORDER BY measured_at LIMIT $2`,
      [target, limit],
    );
    return rows;
  }
}
