-- Whether a walk met the recall target, and the recall of the walk kept (the cheapest that met it,
-- or the widest tried), whichever way searches were then chosen to run: a walk that missed has the
-- index rebuilt with more neighbours (IndexGrower). `stale`: the index was rebuilt since, so the
-- tuner measures again; until then searches run as this measurement chose.
ALTER TABLE vecgate_search_tuning
  ADD COLUMN walk_met boolean,
  ADD COLUMN walk_recall real,
  ADD COLUMN stale boolean NOT NULL DEFAULT false;

-- Every HNSW index built for a collection's vector, with the settings, time and size it took, and
-- every rebuild the tuner began and did not finish (too slow, too large, failed): what was tried,
-- for the operator, and the first build is what a rebuild's size and time are bounded against.
CREATE TABLE vecgate_hnsw_builds (
  collection_id   uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  position        integer NOT NULL,
  m               integer NOT NULL,
  ef_construction integer NOT NULL,
  records         bigint NOT NULL,
  -- null for an index built before builds were recorded
  ms              bigint,
  bytes           bigint,
  outcome         text NOT NULL CHECK (outcome IN ('built', 'too slow', 'too large', 'failed')),
  built_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (collection_id, position, m, ef_construction)
);
