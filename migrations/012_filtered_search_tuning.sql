-- What the search tuner measured of filtered walks (src/core/indexing/search-tuner.ts): under a
-- filter that keeps one record in ten, a walk ranks only the candidates that pass, so it needs a
-- wider ef_search than an unfiltered one for the same recall. Null: measured before this existed,
-- or no record passed that filter; filtered searches then walk at the unfiltered or the configured
-- ef_search, whichever is wider.
ALTER TABLE vecgate_search_tuning
  ADD COLUMN filtered_ef_search integer,
  ADD COLUMN filtered_recall real,
  -- mean times under that filter: the walk at filtered_ef_search, and reading the matching records
  ADD COLUMN filtered_walk_ms real,
  ADD COLUMN filtered_exact_ms real;
