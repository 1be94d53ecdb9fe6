-- Document frequencies kept (docs/full-text-search.md): beside each postings table `<table>_tp`, a
-- table `<table>_tdf` of how many postings each word has per namespace and field, which BM25's
-- idf reads instead of counting the postings. Counting took 56 ms for a word in 94% of 100,000
-- documents (an index-only count of its postings), on every search of it.
--
-- Kept by the postings' own statement trigger, in the writer's transaction, as deltas added to one
-- of 16 slots of the word: a word's frequency is the sum of its slots (at most 16 rows, one index
-- range). A transaction takes a slot no other running transaction holds (a transaction-level
-- advisory lock per slot, tried from its own xid's slot on), so that two writers of the same words
-- never wait on each other's rows nor deadlock; past 16 concurrent writers of a table, one waits.
-- Words and namespaces compare bytewise here (COLLATE "C": a batch of 1,000 documents upserts
-- about 21,000 words' rows, and a locale's comparisons in the key took 10-15% more).
-- vecgate_text_df_compact folds the slots into one row a word and drops the words whose sum is 0
-- (after a namespace is deleted, say), run with the postings' vacuum once writes are quiet, and
-- only when no writer holds a slot.

-- The postings table of a record table, its frequencies, and (with `indexed`) the postings' index.
CREATE OR REPLACE FUNCTION vecgate_text_postings_create(tbl text, indexed boolean) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('CREATE TABLE IF NOT EXISTS vecgate_records.%I (
      namespace text NOT NULL, position smallint NOT NULL, term text NOT NULL,
      seq bigint NOT NULL, tf smallint NOT NULL, len integer NOT NULL, pos smallint[])', tbl || '_tp');
  EXECUTE format('CREATE TABLE IF NOT EXISTS vecgate_records.%I (
      namespace text COLLATE "C" NOT NULL, position smallint NOT NULL, term text COLLATE "C" NOT NULL,
      slot smallint NOT NULL, df integer NOT NULL,
      PRIMARY KEY (namespace, position, term, slot))', tbl || '_tdf');
  IF NOT indexed THEN RETURN; END IF;
  EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON vecgate_records.%I (namespace, position, term, seq) INCLUDE (tf, len, pos)',
    tbl || '_tp_key', tbl || '_tp');
END $fn$;

-- The slot of the frequencies of postings table `tp` this transaction adds to: one it holds
-- already, or one no other transaction holds, or (all 16 held) its own xid's, waiting for it.
CREATE OR REPLACE FUNCTION vecgate_text_df_slot(tp text) RETURNS smallint LANGUAGE plpgsql AS $fn$
DECLARE
  k integer := hashtext('vecgate_text_df:' || tp);
  base integer := (pg_current_xact_id()::text::bigint % 16)::integer;
  i integer;
BEGIN
  FOR i IN 0..15 LOOP
    IF pg_try_advisory_xact_lock(k, (base + i) % 16) THEN RETURN ((base + i) % 16)::smallint; END IF;
  END LOOP;
  PERFORM pg_advisory_xact_lock(k, base);
  RETURN base::smallint;
END $fn$;

-- As migrations/031's, each change of postings added to its words' frequencies in the same
-- statement: -1 a posting deleted, +1 a posting inserted, per namespace and word, in key order.
CREATE OR REPLACE FUNCTION vecgate_text_postings_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  p integer;
  col text;
  tp text := 'vecgate_records.' || quote_ident(TG_ARGV[1]);
  tdf text := 'vecgate_records.' || quote_ident(left(TG_ARGV[1], -3) || '_tdf');
  slot smallint;
  counted text;
BEGIN
  slot := vecgate_text_df_slot(TG_ARGV[1]);
  counted := ' INSERT INTO ' || tdf || ' AS f (namespace, position, term, slot, df)
       SELECT namespace, $1, term, $2, %s count(*) FROM x GROUP BY namespace, term
       ORDER BY namespace COLLATE "C", term COLLATE "C"
       ON CONFLICT (namespace, position, term, slot) DO UPDATE SET df = f.df + excluded.df';
  FOR p IN SELECT position FROM vecgate_text_fields
           WHERE collection_id = TG_ARGV[0]::uuid AND NOT analyzer ? 'tokenizer' ORDER BY position LOOP
    col := quote_ident('t' || p);
    IF TG_OP <> 'INSERT' THEN
      EXECUTE 'WITH x AS (DELETE FROM ' || tp || ' x USING (SELECT o.namespace, o.seq, u.lexeme
           FROM (SELECT o.namespace, o.seq, o.' || col || ' AS words FROM old_rows o WHERE o.' || col || ' IS NOT NULL'
        || CASE WHEN TG_OP = 'UPDATE' THEN
           ' AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.seq = o.seq AND n.namespace = o.namespace
                               AND n.' || col || ' IS NOT DISTINCT FROM o.' || col || ')' ELSE '' END
        || ' OFFSET 0) o, unnest(o.words) u) d
         WHERE x.namespace = d.namespace AND x.position = $1 AND x.term = d.lexeme AND x.seq = d.seq
         RETURNING x.namespace, x.term)' || format(counted, '-')
      USING p, slot;
    END IF;
    IF TG_OP <> 'DELETE' THEN
      EXECUTE 'WITH x AS (INSERT INTO ' || tp || ' (namespace, position, term, seq, tf, len, pos)
         SELECT n.namespace, $1, u.lexeme, n.seq, least(coalesce(array_length(u.positions, 1), 1), 256), n.len, u.positions
         FROM (SELECT n.namespace, n.seq, n.' || col || ' AS words, n.' || quote_ident('tl' || p) || ' AS len
               FROM new_rows n WHERE n.' || col || ' IS NOT NULL'
        || CASE WHEN TG_OP = 'UPDATE' THEN
           ' AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.seq = n.seq AND o.namespace = n.namespace
                               AND o.' || col || ' IS NOT DISTINCT FROM n.' || col || ')' ELSE '' END
        || ' OFFSET 0) n, unnest(n.words) u
         RETURNING namespace, term)' || format(counted, '')
      USING p, slot;
    END IF;
  END LOOP;
  RETURN NULL;
END $fn$;

-- Folds every word's slots into slot 0 and drops the words whose frequency is 0, holding every
-- slot meanwhile; false, doing nothing, when a writer holds one (it never waits on a writer, and
-- no writer waits on it for long: the next quiet time compacts).
CREATE OR REPLACE FUNCTION vecgate_text_df_compact(tbl text) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  k integer := hashtext('vecgate_text_df:' || tbl || '_tp');
  tdf text := 'vecgate_records.' || quote_ident(tbl || '_tdf');
BEGIN
  IF (SELECT count(*) FILTER (WHERE pg_try_advisory_xact_lock(k, s)) FROM generate_series(0, 15) s) < 16 THEN
    RETURN false;
  END IF;
  EXECUTE 'WITH x AS (DELETE FROM ' || tdf || ' WHERE slot <> 0 OR df = 0 RETURNING namespace, position, term, df)
    INSERT INTO ' || tdf || ' AS f (namespace, position, term, slot, df)
    SELECT namespace, position, term, 0, sum(df) FROM x GROUP BY namespace, position, term HAVING sum(df) <> 0
    ON CONFLICT (namespace, position, term, slot) DO UPDATE SET df = f.df + excluded.df';
  EXECUTE 'DELETE FROM ' || tdf || ' WHERE df = 0';
  RETURN true;
END $fn$;

-- The postings tables there are: their frequencies counted once, in the postings' index order (a
-- group aggregate over an index-only scan, no sort), with writers of the table held off until
-- this commits, so that no posting is written meanwhile by the trigger of before.
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN
    SELECT DISTINCT col.table_name FROM vecgate_collections col
    JOIN vecgate_text_fields f ON f.collection_id = col.id AND NOT f.analyzer ? 'tokenizer'
    WHERE to_regclass('vecgate_records.' || quote_ident(col.table_name || '_tp')) IS NOT NULL
  LOOP
    EXECUTE format('LOCK TABLE vecgate_records.%I IN SHARE MODE', c.table_name || '_tp');
    PERFORM vecgate_text_postings_create(c.table_name, true);
    EXECUTE format('DELETE FROM vecgate_records.%I', c.table_name || '_tdf');
    EXECUTE format('INSERT INTO vecgate_records.%I (namespace, position, term, slot, df)
      SELECT namespace, position, term, 0, count(*) FROM vecgate_records.%I GROUP BY namespace, position, term',
      c.table_name || '_tdf', c.table_name || '_tp');
  END LOOP;
END $$;
