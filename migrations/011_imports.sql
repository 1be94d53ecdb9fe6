-- Bulk imports (Pinecone's bulk import API, data plane 2024-10 and later): a job reads Parquet
-- files in Pinecone's import layout into a collection in the background, one batch per
-- transaction. The cursor (part, row) is saved in the transaction of each batch, so a job taken
-- over by another replica, or after a restart, resumes after the last batch that committed.
CREATE TABLE vecgate_imports (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- an index deleted takes its imports with it: a runner writing to it finds its job gone and stops
  collection_id    uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  uri              text NOT NULL,
  status           text NOT NULL CHECK (status IN ('Pending', 'InProgress', 'Failed', 'Completed', 'Cancelled')),
  error_mode       text NOT NULL CHECK (error_mode IN ('continue', 'abort')),
  -- the files found when the import started ([{namespace, location, rows}]), read in this order
  parts            jsonb NOT NULL,
  rows_total       bigint NOT NULL,
  cursor_part      integer NOT NULL DEFAULT 0,
  cursor_row       bigint NOT NULL DEFAULT 0,
  rows_done        bigint NOT NULL DEFAULT 0,
  records_imported bigint NOT NULL DEFAULT 0,
  records_skipped  bigint NOT NULL DEFAULT 0,
  percent_complete real NOT NULL DEFAULT 0,
  error            text,
  created_at       timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
  finished_at      timestamptz
);
CREATE INDEX vecgate_imports_by_collection ON vecgate_imports (collection_id, id);
CREATE INDEX vecgate_imports_unfinished ON vecgate_imports (id) WHERE status IN ('Pending', 'InProgress');
