-- Phrases from postings (docs/full-text-search.md): each posting carries its word's positions in
-- the record's field, as the record's analysed value (`t<n>`, a tsvector) holds them: the same
-- first 256 positions, those past 16,383 at 16,383 (PostgreSQL's bounds). A phrase is then decided
-- from its words' postings, merged by record, without reading any record's analysed value: a
-- 2-word phrase over 100,000 documents read each record holding both words (thousands of
-- detoasted tsvectors), 58 times FTS5's time (docs/benchmarks.md). The answers are those of
-- `t<n> @@ phrase` on the same positions.

-- The postings table of a record table, and (with `indexed`) its index, which carries the positions
-- too: a phrase reads its words' postings by index only. In the heap, each posting of a common word
-- was a page of its own to read, and a phrase of two common words took longer than reading the
-- records (380 ms against 262); in the index, 100 ms. The index is 56% larger (82 MB against 128
-- for 20,000 documents) and searches of words alone took as long (docs/full-text-search.md).
CREATE OR REPLACE FUNCTION vecgate_text_postings_create(tbl text, indexed boolean) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('CREATE TABLE IF NOT EXISTS vecgate_records.%I (
      namespace text NOT NULL, position smallint NOT NULL, term text NOT NULL,
      seq bigint NOT NULL, tf smallint NOT NULL, len integer NOT NULL, pos smallint[])', tbl || '_tp');
  IF NOT indexed THEN RETURN; END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON vecgate_records.%I (namespace, position, term, seq) INCLUDE (tf, len, pos)',
    tbl || '_tp_key', tbl || '_tp');
END $fn$;

-- As migrations/027's, each posting with its positions.
CREATE OR REPLACE FUNCTION vecgate_text_postings_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  p integer;
  col text;
  tp text := 'vecgate_records.' || quote_ident(TG_ARGV[1]);
BEGIN
  FOR p IN SELECT position FROM vecgate_text_fields
           WHERE collection_id = TG_ARGV[0]::uuid AND NOT analyzer ? 'tokenizer' ORDER BY position LOOP
    col := quote_ident('t' || p);
    IF TG_OP <> 'INSERT' THEN
      EXECUTE 'DELETE FROM ' || tp || ' x USING (SELECT o.namespace, o.seq, u.lexeme
           FROM (SELECT o.namespace, o.seq, o.' || col || ' AS words FROM old_rows o WHERE o.' || col || ' IS NOT NULL'
        || CASE WHEN TG_OP = 'UPDATE' THEN
           ' AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.seq = o.seq AND n.namespace = o.namespace
                               AND n.' || col || ' IS NOT DISTINCT FROM o.' || col || ')' ELSE '' END
        || ' OFFSET 0) o, unnest(o.words) u) d
         WHERE x.namespace = d.namespace AND x.position = $1 AND x.term = d.lexeme AND x.seq = d.seq'
      USING p;
    END IF;
    IF TG_OP <> 'DELETE' THEN
      EXECUTE 'INSERT INTO ' || tp || ' (namespace, position, term, seq, tf, len, pos)
         SELECT n.namespace, $1, u.lexeme, n.seq, least(coalesce(array_length(u.positions, 1), 1), 256), n.len, u.positions
         FROM (SELECT n.namespace, n.seq, n.' || col || ' AS words, n.' || quote_ident('tl' || p) || ' AS len
               FROM new_rows n WHERE n.' || col || ' IS NOT NULL'
        || CASE WHEN TG_OP = 'UPDATE' THEN
           ' AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.seq = n.seq AND o.namespace = n.namespace
                               AND o.' || col || ' IS NOT DISTINCT FROM n.' || col || ')' ELSE '' END
        || ' OFFSET 0) n, unnest(n.words) u'
      USING p;
    END IF;
  END LOOP;
  RETURN NULL;
END $fn$;

-- The postings tables there are: made again from their record tables' analysed values, filled
-- before they are indexed (one sort, not an index insert per posting). Rewriting every posting is
-- what adding the column and setting it would cost too, without the dead rows. The triggers name
-- the table, not its oid, and stay.
DO $$
DECLARE
  c record;
  p integer;
BEGIN
  FOR c IN
    SELECT DISTINCT col.id, col.table_name FROM vecgate_collections col
    JOIN vecgate_text_fields f ON f.collection_id = col.id AND NOT f.analyzer ? 'tokenizer'
    WHERE to_regclass('vecgate_records.' || quote_ident(col.table_name)) IS NOT NULL
  LOOP
    EXECUTE format('DROP TABLE IF EXISTS vecgate_records.%I', c.table_name || '_tp');
    PERFORM vecgate_text_postings_create(c.table_name, false);
    FOR p IN SELECT position FROM vecgate_text_fields WHERE collection_id = c.id AND NOT analyzer ? 'tokenizer' LOOP
      EXECUTE format('INSERT INTO vecgate_records.%I (namespace, position, term, seq, tf, len, pos)
        SELECT r.namespace, $1, u.lexeme, r.seq, least(coalesce(array_length(u.positions, 1), 1), 256), r.%I, u.positions
        FROM vecgate_records.%I r, unnest(r.%I) u WHERE r.%I IS NOT NULL',
        c.table_name || '_tp', 'tl' || p, c.table_name, 't' || p, 't' || p)
      USING p;
    END LOOP;
    PERFORM vecgate_text_postings_create(c.table_name, true);
  END LOOP;
END $$;
