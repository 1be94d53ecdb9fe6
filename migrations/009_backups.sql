-- Backups of a collection (Pinecone's backups, API 2025-04): a copy of its record table, taken in
-- one transaction, and what it takes to make a collection of it again. The copy is a record table
-- named from the backup's id (vecgate_records.r_<hex>); a backup outlives its collection.
CREATE TABLE vecgate_backups (
  id              uuid PRIMARY KEY,
  database_id     uuid NOT NULL REFERENCES vecgate_databases (id) ON DELETE CASCADE,
  name            text,
  description     text,
  source_id       uuid NOT NULL,
  source_name     text NOT NULL,
  dimension       integer,
  metric          text NOT NULL,
  -- the collection's settings as the catalog keeps them (index, extras, recordIndexes)
  configuration   jsonb NOT NULL,
  metadata        jsonb,
  schema          jsonb,
  -- every registered namespace, the empty ones too
  namespaces      text[] NOT NULL,
  record_count    bigint NOT NULL,
  size_bytes      bigint NOT NULL,
  table_name      text NOT NULL UNIQUE,
  -- to the millisecond, so that a page token (which carries it) names it exactly
  created_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX vecgate_backups_by_database ON vecgate_backups (database_id, created_at, id);
CREATE INDEX vecgate_backups_by_source ON vecgate_backups (source_id, created_at, id);

-- A collection made from a backup (Pinecone's restore jobs). The copy runs in the request that
-- starts it, so a job is written once it has completed.
CREATE TABLE vecgate_restore_jobs (
  id              uuid PRIMARY KEY,
  database_id     uuid NOT NULL REFERENCES vecgate_databases (id) ON DELETE CASCADE,
  backup_id       uuid NOT NULL,
  target_name     text NOT NULL,
  target_id       uuid NOT NULL,
  status          text NOT NULL,
  percent_complete real NOT NULL,
  created_at      timestamptz NOT NULL,
  completed_at    timestamptz
);
CREATE INDEX vecgate_restore_jobs_by_database ON vecgate_restore_jobs (database_id, created_at, id);
