-- A backup's file as a protocol writes it out (Qdrant's snapshot file): its SHA-256 and size in
-- bytes, counted once after the copy is taken, so that every replica lists the same checksum and a
-- download can be checked against it. Null until counted.
ALTER TABLE vecgate_backups ADD COLUMN file_checksum text;
ALTER TABLE vecgate_backups ADD COLUMN file_size bigint;

-- Backups taken together in one transaction, one of each collection of a database (Qdrant's
-- full-storage snapshots). A backup of a set belongs to it: listed, counted and deleted with it,
-- not with its collection's own backups.
CREATE TABLE vecgate_backup_sets (
  id              uuid PRIMARY KEY,
  database_id     uuid NOT NULL REFERENCES vecgate_databases (id) ON DELETE CASCADE,
  description     text,
  file_checksum   text,
  file_size       bigint,
  -- to the millisecond, as backups are
  created_at      timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
);
CREATE INDEX vecgate_backup_sets_by_database ON vecgate_backup_sets (database_id, created_at, id);
ALTER TABLE vecgate_backups ADD COLUMN set_id uuid REFERENCES vecgate_backup_sets (id) ON DELETE CASCADE;
CREATE INDEX vecgate_backups_by_set ON vecgate_backups (set_id) WHERE set_id IS NOT NULL;
