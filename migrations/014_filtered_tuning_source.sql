-- What the filtered ef_search was fitted on (src/core/indexing/search-tuner.ts): the tuner's own
-- filter keeping a tenth ('synthesized'), or the collection's sampled filtered searches, each
-- under its own filter ('traffic'). Null when there is no filtered measurement.
ALTER TABLE vecgate_search_tuning ADD COLUMN filtered_source text;
