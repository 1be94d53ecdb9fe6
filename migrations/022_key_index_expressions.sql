-- Key indexes (vecgate_range_keys) are now built on the very expression a filter compiles to, with
-- no predicate: the planner ignores the statistics of a partial index, so a range on a key was
-- priced as two default selectivities (about 0.2% of the table, whatever it kept). An index built
-- before has the old expression, which filters no longer use: each is dropped here and marked
-- unanalyzed, and the index builder builds it again on its next pass.
DO $$
DECLARE
  k record;
BEGIN
  FOR k IN
    SELECT c.table_name || '_range_' || r.id AS name
    FROM vecgate_range_keys r JOIN vecgate_collections c ON c.id = r.collection_id
  LOOP
    EXECUTE format('DROP INDEX IF EXISTS vecgate_records.%I', k.name);
  END LOOP;
END $$;
UPDATE vecgate_range_keys SET analyzed = false;

-- A key may also be noted for statistics of the value at it (`values`): no index, but what the
-- planner estimates an equality, an $in, $exists and a null test on the key from.
ALTER TABLE vecgate_range_keys DROP CONSTRAINT vecgate_range_keys_kind_check;
ALTER TABLE vecgate_range_keys ADD CONSTRAINT vecgate_range_keys_kind_check
  CHECK (kind IN ('number', 'string', 'text', 'geo', 'values'));
