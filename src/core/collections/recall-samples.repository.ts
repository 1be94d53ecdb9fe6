import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import type { FilterNode } from '../filters/filter-ast';

/** A search sampled from a collection's traffic and checked against an exact search. */
export interface CheckedSample {
  collectionId: string;
  filtered: boolean;
  namespace: string;
  filter: FilterNode | null;
  share: number | null;
  /** The query vector, pgvector's binary form (DenseVector.toBinary). */
  vector: Buffer;
  k: number;
  /** The walk's ef_search; null when the search read every matching record. */
  efSearch: number | null;
  recall: number;
}

/** A sampled query the search tuner measures with. */
export interface SampledQuery {
  /** pgvector's text form. */
  vector: string;
  namespace: string;
  filter: FilterNode | null;
  share: number | null;
}

/** The recall of one kind of a collection's sampled searches. */
export interface TrafficRecall {
  samples: number;
  /** Mean recall of all of them, exact searches (recall 1) included: what the users got. */
  recall: number | null;
  /** Of those that walked the HNSW index: what the tuner's choice is judged by. */
  walks: number;
  walkRecall: number | null;
}

/** Unfiltered and filtered searches apart: a filtered walk ranks fewer candidates. */
export interface TrafficRecallByKind {
  unfiltered: TrafficRecall;
  filtered: TrafficRecall;
}

/** When the sampled traffic asks for a new measurement (SearchTuner). */
export interface TrafficRule {
  target: number;
  /** Samples since the last measurement before any of them counts. */
  minSamples: number;
  /** A walk's recall this far above the target, for this long since the measurement, asks for a narrower one. */
  farAbove: number;
  narrowAfterMs: number;
}

interface SummaryRow {
  filtered: boolean;
  samples: number;
  recall: number | null;
  walks: number;
  walk_recall: number | null;
}

const EMPTY: TrafficRecall = { samples: 0, recall: null, walks: 0, walkRecall: null };

/** The statements over vecgate_recall_samples (src/core/records/recall-sampler.ts writes them). */
@Injectable()
export class RecallSamplesRepository {
  /**
   * Adds a checked sample and trims the collection's samples to the newest `keep`; nothing when
   * the collection was deleted meanwhile.
   */
  async add(db: Queryable, sample: CheckedSample, keep: number): Promise<void> {
    await db.query(
      `WITH added AS (
         INSERT INTO vecgate_recall_samples (collection_id, filtered, namespace, filter, share, vector, k, ef_search, recall)
         SELECT $1, $2, $3, $4, $5, $6::vector, $7, $8, $9 WHERE EXISTS (SELECT 1 FROM vecgate_collections WHERE id = $1)
         RETURNING 1)
       DELETE FROM vecgate_recall_samples WHERE id IN (
         SELECT id FROM vecgate_recall_samples WHERE collection_id = $1 ORDER BY id DESC OFFSET $10)`,
      [
        sample.collectionId,
        sample.filtered,
        sample.namespace,
        sample.filter === null ? null : JSON.stringify(sample.filter),
        sample.share,
        sample.vector,
        sample.k,
        sample.efSearch,
        sample.recall,
        keep,
      ],
    );
  }

  /** The recall of the collection's samples checked after `since` (all of them when null), by kind. */
  async recall(db: Queryable, collectionId: string, since: Date | null): Promise<TrafficRecallByKind> {
    const { rows } = await db.query<SummaryRow>(
      `SELECT filtered, count(*)::int AS samples, avg(recall)::float8 AS recall,
              count(ef_search)::int AS walks, (avg(recall) FILTER (WHERE ef_search IS NOT NULL))::float8 AS walk_recall
       FROM vecgate_recall_samples WHERE collection_id = $1 AND ($2::timestamptz IS NULL OR checked_at > $2)
       GROUP BY filtered`,
      [collectionId, since],
    );
    const of = (filtered: boolean): TrafficRecall => {
      const row = rows.find((r) => r.filtered === filtered);
      return row
        ? { samples: row.samples, recall: row.recall, walks: row.walks, walkRecall: row.walk_recall }
        : { ...EMPTY };
    };
    return { unfiltered: of(false), filtered: of(true) };
  }

  /**
   * Measured collections whose traffic since their measurement asks for another: enough samples
   * of a kind, and the measurement was made without traffic (only traffic may go below the
   * floor), or the walks missed the target, or they have been far above it for a while.
   */
  async due(db: Queryable, rule: TrafficRule, limit: number): Promise<string[]> {
    const { rows } = await db.query<{ id: string }>(
      `SELECT t.collection_id AS id FROM vecgate_search_tuning t
       JOIN vecgate_collections c ON c.id = t.collection_id AND t.position = 0
         AND coalesce((c.configuration->'index'->>'efSearchPinned')::boolean, false) = false
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE NOT filtered) AS unfiltered,
                avg(recall) FILTER (WHERE NOT filtered AND ef_search IS NOT NULL) AS unfiltered_walks,
                count(*) FILTER (WHERE filtered AND ef_search IS NOT NULL) AS filtered_walks,
                avg(recall) FILTER (WHERE filtered AND ef_search IS NOT NULL) AS filtered_recall
         FROM vecgate_recall_samples s WHERE s.collection_id = t.collection_id AND s.checked_at > t.measured_at
       ) s
       WHERE t.target = $1::real AND (
         (s.unfiltered >= $2 AND (t.source = 'synthesized' OR s.unfiltered_walks < $1::real
           OR ((t.exact OR t.ef_search > $5) AND coalesce(s.unfiltered_walks, 1) >= $3::real
               AND t.measured_at < now() - $4 * interval '1 millisecond')))
         OR (s.filtered_walks >= $2 AND s.filtered_recall < $1::real))
       ORDER BY t.measured_at LIMIT $6`,
      [rule.target, rule.minSamples, rule.farAbove, rule.narrowAfterMs, LEAST_EF_SEARCH, limit],
    );
    return rows.map((r) => r.id);
  }

  /** The newest `n` sampled queries of a kind (filtered: only those that walked), newest first. */
  async queries(db: Queryable, collectionId: string, filtered: boolean, n: number): Promise<SampledQuery[]> {
    const { rows } = await db.query<SampledQuery>(
      `SELECT vector::text AS vector, namespace, filter, share FROM vecgate_recall_samples
       WHERE collection_id = $1 AND filtered = $2 AND (NOT $2 OR ef_search IS NOT NULL)
       ORDER BY id DESC LIMIT $3`,
      [collectionId, filtered, n],
    );
    return rows;
  }
}

/** The narrowest walk the tuner tries (EF_SEARCH_LADDER's first): a walk there cannot narrow. */
export const LEAST_EF_SEARCH = 16;
