-- The highest position a named vector of the collection has had. A new vector takes the next one,
-- so a position, and the column v<position> named from it, never stands for two vectors: a write
-- or a search planned on a catalog row read before a vector was removed fails on its dropped
-- column, where a reused position would reach the values of the vector added after it.
ALTER TABLE vecgate_collections ADD COLUMN last_vector_position integer NOT NULL DEFAULT 0;

-- Until now a new vector took the position after the highest one present, so no position given so
-- far is past the number of vectors ever added: those present, and those removed, whose columns
-- the record table still counts as dropped.
UPDATE vecgate_collections c SET last_vector_position = greatest(
  (SELECT coalesce(max(v.position), 0) FROM vecgate_collection_vectors v WHERE v.collection_id = c.id),
  (SELECT count(*) FROM vecgate_collection_vectors v WHERE v.collection_id = c.id)
    + (SELECT count(*) FROM pg_attribute a
       WHERE a.attrelid = to_regclass('vecgate_records.' || quote_ident(c.table_name)) AND a.attisdropped));
