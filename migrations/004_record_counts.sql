-- How many records each namespace of a collection holds, so that count is a lookup instead of a
-- scan of the table. Every write adds its net change in its own transaction; a write takes one of
-- 16 slots at random, so that concurrent writers of one namespace rarely wait on the same row,
-- and the count is the sum of the slots.
CREATE TABLE vecgate_record_counts (
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  namespace      text NOT NULL,
  slot           smallint NOT NULL,
  n              bigint NOT NULL,
  PRIMARY KEY (collection_id, namespace, slot)
);

-- Collections created before this migration: count what their tables hold now.
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT id, table_name FROM vecgate_collections LOOP
    IF to_regclass(format('vecgate_records.%I', c.table_name)) IS NOT NULL THEN
      EXECUTE format(
        'INSERT INTO vecgate_record_counts (collection_id, namespace, slot, n)
         SELECT $1, namespace, 0, count(*) FROM vecgate_records.%I GROUP BY namespace', c.table_name)
      USING c.id;
    END IF;
  END LOOP;
END
$$;
