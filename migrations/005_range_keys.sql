-- The metadata keys that numeric range filters ($gt, $gte, $lt, $lte) have been sent on, per
-- collection: each gets a btree index on its value, built in the background (IndexBuilder) and
-- named after the row's id (<table>_range_<id>). A key is a path: one element for a top-level key
-- (indexed as metadata -> key), more for Vectorizer's nested paths (metadata #> path).
CREATE TABLE vecgate_range_keys (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  key            text[] NOT NULL,
  noted_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (collection_id, key)
);
