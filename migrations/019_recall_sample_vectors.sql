-- A sampled search of a named dense vector (Qdrant's) is kept apart from the default vector's
-- (position 0, as in vecgate_search_tuning): the search tuner measures each vector on its own
-- traffic, and each vector keeps its own newest samples.
ALTER TABLE vecgate_recall_samples ADD COLUMN position integer NOT NULL DEFAULT 0;
DROP INDEX vecgate_recall_samples_by_collection;
CREATE INDEX vecgate_recall_samples_by_vector ON vecgate_recall_samples (collection_id, position, checked_at);
