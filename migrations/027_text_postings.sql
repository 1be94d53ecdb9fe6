-- BM25 from postings (docs/full-text-search.md): a record table with text fields analysed by words
-- (Pinecone's) has a postings table beside it, `<table>_tp`, one row per (namespace, field, word,
-- record) with the word's frequency in the record's field and the field's length. A search reads
-- the postings of its words through one index, in key order, without visiting the record table or
-- reading any record's words: scoring 5 common words over 100,000 documents read 17,000 postings
-- in 50-90 ms where reading the 16,000 records holding them took 700-900 ms (same machine, same
-- load). Records are named by `seq`, which an update keeps. Token-by-token fields (Qdrant's text
-- index) have no postings: they match, they do not rank.

-- The postings table of a record table, and (with `indexed`) its index.
CREATE FUNCTION vecgate_text_postings_create(tbl text, indexed boolean) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('CREATE TABLE IF NOT EXISTS vecgate_records.%I (
      namespace text NOT NULL, position smallint NOT NULL, term text NOT NULL,
      seq bigint NOT NULL, tf smallint NOT NULL, len integer NOT NULL)', tbl || '_tp');
  IF NOT indexed THEN RETURN; END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON vecgate_records.%I (namespace, position, term, seq) INCLUDE (tf, len)',
    tbl || '_tp_key', tbl || '_tp');
END $fn$;

-- The statement trigger of a record table with such fields (TG_ARGV[0] its collection's id,
-- TG_ARGV[1] the postings table): the postings of the rows a statement removed or whose words it
-- changed are deleted, those of the rows it added or changed are inserted. An update that leaves a
-- row's words as they were (a vector or another key edited) touches no posting. A word's frequency
-- is the count of its positions, as vecgate_text_tf reads it (a tsvector keeps at most 256).
CREATE FUNCTION vecgate_text_postings_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
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
      EXECUTE 'INSERT INTO ' || tp || ' (namespace, position, term, seq, tf, len)
         SELECT n.namespace, $1, u.lexeme, n.seq, least(coalesce(array_length(u.positions, 1), 1), 256), n.len
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

-- The record tables that have such fields already: their postings tables, filled, and triggers.
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
    -- Filled before it is indexed: one sort, not an index insert per posting.
    PERFORM vecgate_text_postings_create(c.table_name, false);
    FOR p IN SELECT position FROM vecgate_text_fields WHERE collection_id = c.id AND NOT analyzer ? 'tokenizer' LOOP
      EXECUTE format('INSERT INTO vecgate_records.%I (namespace, position, term, seq, tf, len)
        SELECT r.namespace, $1, u.lexeme, r.seq, least(coalesce(array_length(u.positions, 1), 1), 256), r.%I
        FROM vecgate_records.%I r, unnest(r.%I) u WHERE r.%I IS NOT NULL',
        c.table_name || '_tp', 'tl' || p, c.table_name, 't' || p, 't' || p)
      USING p;
    END LOOP;
    PERFORM vecgate_text_postings_create(c.table_name, true);
    EXECUTE format('CREATE TRIGGER text_postings_insert AFTER INSERT ON vecgate_records.%I REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION vecgate_text_postings_sync(%L, %L)', c.table_name, c.id, c.table_name || '_tp');
    EXECUTE format('CREATE TRIGGER text_postings_update AFTER UPDATE ON vecgate_records.%I
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION vecgate_text_postings_sync(%L, %L)', c.table_name, c.id, c.table_name || '_tp');
    EXECUTE format('CREATE TRIGGER text_postings_delete AFTER DELETE ON vecgate_records.%I REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION vecgate_text_postings_sync(%L, %L)', c.table_name, c.id, c.table_name || '_tp');
  END LOOP;
END $$;

-- BM25 reads frequencies from the postings now; nothing calls this any more (migrations/024).
DROP FUNCTION vecgate_text_tf(tsvector, tsquery);
