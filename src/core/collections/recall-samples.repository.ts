import { Injectable } from '@nestjs/common';
import { Queryable } from '../../database/database';
import type { FilterNode } from '../filters/filter-ast';

/** A search sampled from a collection's traffic and checked against an exact search. */
export interface CheckedSample {
  collectionId: string;
  /** The vector searched: 0 the default one, else a named dense vector's position. */
  position: number;
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
  /** Checked since its vector was last measured (traffic the measurement has not seen). */
  recent: boolean;
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

/** One vector's summary rows as its unfiltered and filtered recall (EMPTY for a kind without samples). */
function byKind(rows: SummaryRow[]): TrafficRecallByKind {
  const of = (filtered: boolean): TrafficRecall => {
    const row = rows.find((r) => r.filtered === filtered);
    return row
      ? { samples: row.samples, recall: row.recall, walks: row.walks, walkRecall: row.walk_recall }
      : { ...EMPTY };
  };
  return { unfiltered: of(false), filtered: of(true) };
}

/** The statements over vecgate_recall_samples (src/core/records/recall-sampler.ts writes them). */
@Injectable()
export class RecallSamplesRepository {
  /**
   * Adds a checked sample and trims the vector's samples to the newest `keep`; nothing when the
   * collection, or the named vector, was deleted meanwhile.
   */
  async add(db: Queryable, sample: CheckedSample, keep: number): Promise<void> {
    await db.query(
      `WITH added AS (
         INSERT INTO vecgate_recall_samples (collection_id, filtered, namespace, filter, share, vector, k, ef_search, recall, position)
         SELECT $1, $2, $3, $4, $5, $6::vector, $7, $8, $9, $11
         WHERE EXISTS (SELECT 1 FROM vecgate_collections WHERE id = $1)
           AND ($11 = 0 OR EXISTS (SELECT 1 FROM vecgate_collection_vectors WHERE collection_id = $1 AND position = $11))
         RETURNING 1)
       DELETE FROM vecgate_recall_samples WHERE id IN (
         SELECT id FROM vecgate_recall_samples WHERE collection_id = $1 AND position = $11 ORDER BY id DESC OFFSET $10)`,
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
        sample.position,
      ],
    );
  }

  /**
   * The recall of the default vector's samples checked after `since` (all of them when null), by
   * kind (Chroma's indexing status).
   */
  async recall(db: Queryable, collectionId: string, since: Date | null): Promise<TrafficRecallByKind> {
    const { rows } = await db.query<SummaryRow>(
      `SELECT filtered, count(*)::int AS samples, avg(recall)::float8 AS recall,
              count(ef_search)::int AS walks, (avg(recall) FILTER (WHERE ef_search IS NOT NULL))::float8 AS walk_recall
       FROM vecgate_recall_samples
       WHERE collection_id = $1 AND position = 0 AND ($2::timestamptz IS NULL OR checked_at > $2)
       GROUP BY filtered`,
      [collectionId, since],
    );
    return byKind(rows);
  }

  /** The recall of all samples of each of these vectors (by position), by kind: one statement. */
  async recallByVector(db: Queryable, collectionId: string, positions: number[]): Promise<TrafficRecallByKind[]> {
    const { rows } = await db.query<SummaryRow & { position: number }>(
      `SELECT position, filtered, count(*)::int AS samples, avg(recall)::float8 AS recall,
              count(ef_search)::int AS walks, (avg(recall) FILTER (WHERE ef_search IS NOT NULL))::float8 AS walk_recall
       FROM vecgate_recall_samples WHERE collection_id = $1
       GROUP BY position, filtered`,
      [collectionId],
    );
    return positions.map((p) => byKind(rows.filter((r) => r.position === p)));
  }

  /**
   * Measured vectors (a collection's default one, position 0, or a named dense one) whose traffic
   * since their measurement asks for another: enough samples of a kind, and the measurement was
   * made without traffic (only traffic may go below the floor), or the walks missed the target,
   * or they have been far above it for a while.
   */
  async due(db: Queryable, rule: TrafficRule, limit: number): Promise<{ id: string; position: number }[]> {
    const { rows } = await db.query<{ id: string; position: number }>(
      `SELECT t.collection_id AS id, t.position FROM vecgate_search_tuning t
       JOIN vecgate_collections c ON c.id = t.collection_id
       LEFT JOIN vecgate_collection_vectors n ON n.collection_id = t.collection_id AND n.position = t.position
       CROSS JOIN LATERAL (
         SELECT count(*) FILTER (WHERE NOT filtered) AS unfiltered,
                avg(recall) FILTER (WHERE NOT filtered AND ef_search IS NOT NULL) AS unfiltered_walks,
                count(*) FILTER (WHERE filtered AND ef_search IS NOT NULL) AS filtered_walks,
                avg(recall) FILTER (WHERE filtered AND ef_search IS NOT NULL) AS filtered_recall
         FROM vecgate_recall_samples s
         WHERE s.collection_id = t.collection_id AND s.position = t.position AND s.checked_at > t.measured_at
       ) s
       WHERE (t.position = 0 OR n.kind = 'dense' AND NOT n.multivector)
         AND coalesce(((CASE WHEN t.position = 0 THEN c.configuration->'index' ELSE n.index END)->>'efSearchPinned')::boolean, false) = false
         AND t.target = $1::real AND (
         (s.unfiltered >= $2 AND (t.source = 'synthesized' OR s.unfiltered_walks < $1::real
           OR ((t.exact OR t.ef_search > $5) AND coalesce(s.unfiltered_walks, 1) >= $3::real
               AND t.measured_at < now() - $4 * interval '1 millisecond')))
         OR (s.filtered_walks >= $2 AND s.filtered_recall < $1::real))
       ORDER BY t.measured_at LIMIT $6`,
      [rule.target, rule.minSamples, rule.farAbove, rule.narrowAfterMs, LEAST_EF_SEARCH, limit],
    );
    return rows.map((r) => ({ id: r.id, position: Number(r.position) }));
  }

  /**
   * The newest `n` sampled queries of a kind (filtered: only those that walked) of one vector,
   * newest first, each marked recent when checked since that vector's last measurement (as `due`
   * counts them). Only queries of the vector's dimension: a named vector removed and another
   * declared at its position since cannot be measured with the old one's.
   */
  async queries(
    db: Queryable,
    collectionId: string,
    filtered: boolean,
    n: number,
    vector: { position: number; dimension: number },
  ): Promise<SampledQuery[]> {
    const { rows } = await db.query<SampledQuery>(
      `SELECT s.vector::text AS vector, s.namespace, s.filter, s.share,
              coalesce(s.checked_at > t.measured_at, true) AS recent
       FROM vecgate_recall_samples s
       LEFT JOIN vecgate_search_tuning t ON t.collection_id = s.collection_id AND t.position = s.position
       WHERE s.collection_id = $1 AND s.position = $4 AND vector_dims(s.vector) = $5
         AND s.filtered = $2 AND (NOT $2 OR s.ef_search IS NOT NULL)
       ORDER BY s.id DESC LIMIT $3`,
      [collectionId, filtered, n, vector.position, vector.dimension],
    );
    return rows;
  }

  /** Forgets a named vector's samples (it was removed; its position may be given to another). */
  async forget(db: Queryable, collectionId: string, position: number): Promise<void> {
    await db.query('DELETE FROM vecgate_recall_samples WHERE collection_id = $1 AND position = $2', [
      collectionId,
      position,
    ]);
  }
}

/** The narrowest walk the tuner tries (EF_SEARCH_LADDER's first): a walk there cannot narrow. */
export const LEAST_EF_SEARCH = 16;
