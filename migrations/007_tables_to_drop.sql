-- Record tables whose collections have left the catalog and that are still to be dropped. Deleting
-- a database (or a reset) queues its tables in the transaction that removes them from the catalog,
-- then drops them a batch per transaction: one transaction locking thousands of tables ran out of
-- shared memory and could never succeed. What an interruption leaves here is dropped by the next
-- delete, or when a replica starts.
CREATE TABLE vecgate_tables_to_drop (
  table_name  text PRIMARY KEY,
  queued_at   timestamptz NOT NULL DEFAULT now()
);
