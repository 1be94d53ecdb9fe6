-- Vectors a collection's records hold besides the default dense `embedding` and sparse
-- `sparse_embedding` columns (Qdrant's named vectors): each is a column `v<position>` of the record
-- table, a dense one with its own HNSW index (`<table>_v<position>_hnsw`). The column's name comes
-- from the position only, never from the name a client gave.
CREATE TABLE vecgate_collection_vectors (
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  position       integer NOT NULL CHECK (position >= 1),
  name           text NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('dense', 'sparse')),
  -- dense only: fixed when the vector is declared
  dimension      integer CHECK (dimension > 0),
  metric         text NOT NULL CHECK (metric IN ('l2', 'ip', 'cosine', 'l1')),
  -- HNSW settings, as the collection's own (m, efConstruction, efSearch)
  index          jsonb NOT NULL,
  PRIMARY KEY (collection_id, position),
  UNIQUE (collection_id, name),
  CHECK (kind = 'sparse' OR dimension IS NOT NULL)
);

-- The search tuner measures each named dense vector's index as it measures the default one's
-- (position 0).
ALTER TABLE vecgate_search_tuning ADD COLUMN position integer NOT NULL DEFAULT 0;
ALTER TABLE vecgate_search_tuning DROP CONSTRAINT vecgate_search_tuning_pkey;
ALTER TABLE vecgate_search_tuning ADD PRIMARY KEY (collection_id, position);

-- A key's index may serve other filters than numeric ranges: string ranges (datetimes, in byte
-- order), substring matches (a trigram index) and geo filters (the latitude of its points), as
-- Qdrant's datetime, text and geo field indexes ask.
ALTER TABLE vecgate_range_keys ADD COLUMN kind text NOT NULL DEFAULT 'number' CHECK (kind IN ('number', 'string', 'text', 'geo'));
ALTER TABLE vecgate_range_keys DROP CONSTRAINT vecgate_range_keys_collection_id_key_key;
ALTER TABLE vecgate_range_keys ADD UNIQUE (collection_id, key, kind);
