-- What the search tuner measured of a collection's HNSW index (src/core/indexing/search-tuner.ts):
-- the least ef_search whose recall@10 met the target on a sample of the collection's own records,
-- or exact search when that is cheaper or no ef_search meets it. Searches read it with the catalog.
CREATE TABLE vecgate_search_tuning (
  collection_id  uuid PRIMARY KEY REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  -- the records the collection held when measured: grown or shrunk by a quarter, it is measured again
  records        bigint NOT NULL,
  target         real NOT NULL,
  recall         real NOT NULL,
  ef_search      integer NOT NULL,
  exact          boolean NOT NULL,
  -- mean time of one search the chosen way during the measurement, for the docs and operators
  ms_per_search  real NOT NULL,
  measured_at    timestamptz NOT NULL DEFAULT now()
);
