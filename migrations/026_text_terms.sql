-- Fuzzy terms (`term~N` in Pinecone's query_string, docs/full-text-search.md): a term matches the
-- words of a field within N edits (Levenshtein), so a search needs the words a field holds in a
-- namespace without reading every record. vecgate_text_terms lists them: the record table's
-- statement triggers add each statement's new words. A word is never taken out when its last
-- record goes (a search checks through the GIN index that the namespace still holds each word it
-- expands to), and there is no unique constraint: two writers adding one new word at once may
-- list it twice, which a search reads as one, rather than wait on each other or deadlock.
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

CREATE TABLE vecgate_text_terms (
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  position       integer NOT NULL,
  namespace      text NOT NULL,
  term           text NOT NULL
);
-- A fuzzy search reads the words whose length is within N of the query word's.
CREATE INDEX vecgate_text_terms_length ON vecgate_text_terms (collection_id, position, namespace, char_length(term), term);

-- The statement trigger of a record table with text fields (TG_ARGV[0], its collection's id): the
-- words of the rows the statement wrote that the list does not hold yet, per field and namespace,
-- for the fields analysed by words (Pinecone's; Qdrant's token-by-token fields have no fuzzy match);
-- an update's rows whose words did not change (a vector or another key edited, a document upserted
-- again as it was) are skipped. Transition tables are visible to a trigger function's dynamic
-- statements.
CREATE FUNCTION vecgate_text_terms_add() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  p integer;
  col text;
BEGIN
  FOR p IN SELECT position FROM vecgate_text_fields
           WHERE collection_id = TG_ARGV[0]::uuid AND NOT analyzer ? 'tokenizer' ORDER BY position LOOP
    col := quote_ident('t' || p);
    EXECUTE
      'INSERT INTO vecgate_text_terms (collection_id, position, namespace, term)
       SELECT $1, $2, w.namespace, w.term
       FROM (SELECT DISTINCT r.namespace, u.term
             FROM (SELECT n.namespace, n.' || col || ' AS words FROM new_rows n WHERE n.' || col || ' IS NOT NULL'
      || CASE WHEN TG_OP = 'UPDATE' THEN
         ' AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.namespace = n.namespace AND o.id = n.id
                             AND o.' || col || ' IS NOT DISTINCT FROM n.' || col || ')' ELSE '' END
      -- OFFSET 0: each row is tested once, not once per word (a tsvector compared is read whole).
      || ' OFFSET 0) r, unnest(tsvector_to_array(r.words)) AS u(term)) w
       WHERE NOT EXISTS (SELECT 1 FROM vecgate_text_terms v
                         WHERE v.collection_id = $1 AND v.position = $2 AND v.namespace = w.namespace
                           AND char_length(v.term) = char_length(w.term) AND v.term = w.term)'
    USING TG_ARGV[0]::uuid, p;
  END LOOP;
  RETURN NULL;
END $fn$;

-- The record tables that have text fields already: their triggers, and the words they hold.
DO $$
DECLARE
  c record;
  p integer;
BEGIN
  FOR c IN
    SELECT DISTINCT col.id, col.table_name FROM vecgate_collections col
    JOIN vecgate_text_fields f ON f.collection_id = col.id
    WHERE to_regclass('vecgate_records.' || quote_ident(col.table_name)) IS NOT NULL
  LOOP
    EXECUTE format('CREATE TRIGGER text_terms_insert AFTER INSERT ON vecgate_records.%I REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION vecgate_text_terms_add(%L)', c.table_name, c.id);
    EXECUTE format('CREATE TRIGGER text_terms_update AFTER UPDATE ON vecgate_records.%I
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION vecgate_text_terms_add(%L)', c.table_name, c.id);
    FOR p IN SELECT position FROM vecgate_text_fields WHERE collection_id = c.id AND NOT analyzer ? 'tokenizer' LOOP
      EXECUTE format('INSERT INTO vecgate_text_terms (collection_id, position, namespace, term)
        SELECT DISTINCT $1, $2, r.namespace, u.term FROM vecgate_records.%I r, unnest(tsvector_to_array(r.%I)) AS u(term)
        WHERE r.%I IS NOT NULL', c.table_name, 't' || p, 't' || p)
      USING c.id, p;
    END LOOP;
  END LOOP;
END $$;
