-- Searches sampled from a collection's own traffic (src/core/records/recall-sampler.ts), each
-- checked against an exact search in the background: their recall is what users got, and their
-- query vectors are what the search tuner measures with once there are enough of them (queries
-- unlike the records, as questions are unlike passages, need wider walks than queries near them).
-- A few hundred per collection at most: the sampler deletes older ones as it adds.
CREATE TABLE vecgate_recall_samples (
  id            bigserial PRIMARY KEY,
  collection_id uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  -- whether the search read less than the whole table (a filter, or one namespace of several)
  filtered      boolean NOT NULL,
  namespace     text NOT NULL,
  -- the filter as the core's tree (src/core/filters/filter-ast.ts); null when unfiltered
  filter        jsonb,
  -- the planner's estimate of the share of the table the filter kept, when it was asked
  share         real,
  vector        vector NOT NULL,
  k             integer NOT NULL,
  -- the walk's ef_search; null: the search read every matching record (exact, recall 1)
  ef_search     integer,
  recall        real NOT NULL,
  checked_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX vecgate_recall_samples_by_collection ON vecgate_recall_samples (collection_id, checked_at);

-- What the tuner measured with: its own queries near sampled records ('synthesized'), or the
-- collection's sampled traffic ('traffic').
ALTER TABLE vecgate_search_tuning ADD COLUMN source text NOT NULL DEFAULT 'synthesized';
