-- Multivectors (Qdrant's multivector_config, ColBERT's MaxSim; docs/storage-and-search.md): a named
-- dense vector may hold, per record, a list of token vectors of its dimension. The record table's
-- column v<position> holds the list (`vector[]`, or `halfvec[]` stored at half precision), which
-- reads, copies, forks and backups carry as any column; a token table beside it,
-- `<table>_mv<position>` (seq, ord, embedding), holds one row per token for the HNSW index
-- `<table>_v<position>_hnsw`, kept by the statement triggers below in the transaction of every
-- write to the record table.
ALTER TABLE vecgate_collection_vectors ADD COLUMN multivector boolean NOT NULL DEFAULT false;
ALTER TABLE vecgate_collection_vectors ADD COLUMN storage text NOT NULL DEFAULT 'float32'
  CHECK (storage IN ('float32', 'float16'));
ALTER TABLE vecgate_collection_vectors ADD CHECK (NOT multivector OR kind = 'dense');

-- TG_ARGV[0]: the token table, TG_ARGV[1]: the record table's column holding the lists. The tokens
-- of the rows a statement removed, or whose list it changed, are deleted; those of the rows it added
-- or changed are inserted. An update that leaves a row's list as it was touches no token.
CREATE FUNCTION vecgate_multivector_sync() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  tokens text := 'vecgate_records.' || quote_ident(TG_ARGV[0]);
  col text := quote_ident(TG_ARGV[1]);
BEGIN
  IF TG_OP = 'DELETE' THEN
    EXECUTE 'DELETE FROM ' || tokens || ' x USING old_rows o WHERE x.seq = o.seq AND o.' || col || ' IS NOT NULL';
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    EXECUTE 'DELETE FROM ' || tokens || ' x USING (SELECT o.seq FROM old_rows o JOIN new_rows n ON n.seq = o.seq
        WHERE o.' || col || ' IS NOT NULL AND n.' || col || ' IS DISTINCT FROM o.' || col || ' OFFSET 0) d WHERE x.seq = d.seq';
    EXECUTE 'INSERT INTO ' || tokens || ' (seq, ord, embedding)
        SELECT n.seq, u.ord, u.token FROM (SELECT n.seq, n.' || col || ' AS list FROM new_rows n JOIN old_rows o ON o.seq = n.seq
          WHERE n.' || col || ' IS NOT NULL AND n.' || col || ' IS DISTINCT FROM o.' || col || ' OFFSET 0) n,
        unnest(n.list) WITH ORDINALITY AS u(token, ord)';
    RETURN NULL;
  END IF;
  EXECUTE 'INSERT INTO ' || tokens || ' (seq, ord, embedding)
      SELECT n.seq, u.ord, u.token FROM new_rows n, unnest(n.' || col || ') WITH ORDINALITY AS u(token, ord)
      WHERE n.' || col || ' IS NOT NULL';
  RETURN NULL;
END $fn$;
