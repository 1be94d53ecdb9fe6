-- Full-text fields (docs/full-text-search.md): a metadata key of a collection's records analysed into
-- words, as Pinecone's document indexes and Qdrant's text payload index declare. Each field is two
-- columns of the record table, named from its position only, never from the key a client gave:
-- `t<position>` (tsvector, with positions, under a GIN index) and `tl<position>` (its token count,
-- BM25's document length). A trigger of the table keeps both in step with the metadata, whatever
-- statement or protocol writes it.
CREATE TABLE vecgate_text_fields (
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  position       integer NOT NULL CHECK (position >= 1),
  path           text[] NOT NULL,
  -- the text search configuration the analyser stems and drops stop words with (text-analyzer.ts)
  config         regconfig NOT NULL,
  -- the rest of the analyser: tokenizer, lowercase, token length cap, n-grams
  analyzer       jsonb NOT NULL,
  PRIMARY KEY (collection_id, position),
  UNIQUE (collection_id, path)
);

-- The highest position a text field of the collection has had: a position, and the columns named
-- from it, never stand for two fields (as last_vector_position for named vectors).
ALTER TABLE vecgate_collections ADD COLUMN last_text_position integer NOT NULL DEFAULT 0;

-- BM25's collection statistics of each field, per namespace: how many records hold the field and
-- how many tokens they hold in all. Kept by the record table's statement triggers; a statement
-- adds its net change to one of 16 slots at random (as vecgate_record_counts).
CREATE TABLE vecgate_text_stats (
  collection_id  uuid NOT NULL REFERENCES vecgate_collections (id) ON DELETE CASCADE,
  position       integer NOT NULL,
  namespace      text NOT NULL,
  slot           smallint NOT NULL,
  docs           bigint NOT NULL,
  tokens         bigint NOT NULL,
  PRIMARY KEY (collection_id, position, namespace, slot)
);

-- Stemming without stop words: one Snowball dictionary and configuration per language, as the
-- built-in configuration of that language but without its stop-word list (the built-in ones stem
-- and drop stop words; `simple` does neither).
DO $$
DECLARE
  lang text;
BEGIN
  FOREACH lang IN ARRAY ARRAY['arabic', 'danish', 'dutch', 'english', 'finnish', 'french', 'german', 'greek',
    'hungarian', 'italian', 'norwegian', 'portuguese', 'romanian', 'russian', 'spanish', 'swedish', 'tamil', 'turkish'] LOOP
    EXECUTE format('CREATE TEXT SEARCH DICTIONARY %I (TEMPLATE = snowball, Language = %s)', 'vecgate_' || lang || '_stem', lang);
    EXECUTE format('CREATE TEXT SEARCH CONFIGURATION %I (COPY = pg_catalog.%I)', 'vecgate_' || lang || '_stem', lang);
    EXECUTE format('ALTER TEXT SEARCH CONFIGURATION %I ALTER MAPPING REPLACE %I WITH %I',
      'vecgate_' || lang || '_stem', lang || '_stem', 'vecgate_' || lang || '_stem');
  END LOOP;
END
$$;

-- A text value as the `words` tokenizer leaves it: lowercased, split on anything but letters and
-- digits, each word cut to `cap` characters (at most 255: a regular expression's count; null: uncut); words joined by one space. PostgreSQL's parser then
-- sees only letters and digits, so it splits no further and finds no hyphenated words, e-mails or
-- URLs of its own (Pinecone splits `state-of-the-art` into four words).
CREATE FUNCTION vecgate_text_words(value text, cap integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN cap IS NULL THEN regexp_replace(lower(value), '[^[:alnum:]]+', ' ', 'g')
  ELSE regexp_replace(
    regexp_replace(lower(value), '[^[:alnum:]]+', ' ', 'g'),
    '([[:alnum:]]{' || cap || '})[[:alnum:]]+', '\1', 'g')
END;

-- A value's text: a string, or the strings of an array one after another; null for anything else.
CREATE FUNCTION vecgate_text_of(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN CASE jsonb_typeof(value)
  WHEN 'string' THEN value #>> '{}'
  WHEN 'array' THEN (SELECT string_agg(e #>> '{}', ' ') FROM jsonb_array_elements(value) e WHERE jsonb_typeof(e) = 'string')
END;

-- The words of a text as the analyser's tokenizer makes them (before stemming and stop words):
-- words, or each word's character n-grams (all of them, or from its start only).
CREATE FUNCTION vecgate_text_tokens(analyzer jsonb, value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN CASE
  WHEN jsonb_typeof(analyzer -> 'ngram') = 'object' THEN (
    SELECT string_agg(substr(w, i, n), ' ' ORDER BY o, n, i)
    FROM regexp_split_to_table(vecgate_text_words(value, NULL), ' ') WITH ORDINALITY AS words(w, o),
      generate_series((analyzer #>> '{ngram,min}')::int, (analyzer #>> '{ngram,max}')::int) AS n,
      generate_series(1, CASE WHEN (analyzer #>> '{ngram,prefixOnly}')::boolean THEN 1 ELSE length(w) - n + 1 END) AS i
    WHERE length(w) >= n)
  ELSE vecgate_text_words(value, coalesce((analyzer ->> 'cap')::int, 40))
END;

-- A metadata value analysed for the GIN index: one lexeme per distinct word, with its positions.
CREATE FUNCTION vecgate_text_vector(config regconfig, analyzer jsonb, value jsonb) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN to_tsvector(config, vecgate_text_tokens(analyzer, vecgate_text_of(value)));

-- How many tokens an analysed value holds (stop words left out): BM25's document length.
CREATE FUNCTION vecgate_text_length(v tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN (SELECT coalesce(sum(array_length(positions, 1)), 0)::int FROM unnest(v));

-- How often `lexeme` occurs in an analysed value (BM25's term frequency): its positions, read by
-- marking that one lexeme and keeping only the marked one (no scan of the others' positions).
CREATE FUNCTION vecgate_text_tf(v tsvector, lexeme text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce((SELECT array_length(positions, 1) FROM unnest(ts_filter(setweight(v, 'A', ARRAY[lexeme]), '{a}'))), 0);

-- The lexemes of a query text in order, with their positions (a stop word leaves a gap), as the
-- field's analyser makes them: what a query is matched and scored by.
CREATE FUNCTION vecgate_text_query_lexemes(config regconfig, analyzer jsonb, value text)
RETURNS TABLE (lexeme text, pos integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT u.lexeme, p::integer
  FROM unnest(to_tsvector(config, vecgate_text_tokens(analyzer, value))) u, unnest(u.positions) p
  ORDER BY p
$$;

-- A lexeme as tsquery input reads it: quoted, its quotes and backslashes escaped.
CREATE FUNCTION vecgate_tsquery_quote(lexeme text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''';

-- A query text as a tsquery under a field's analyser: any of its words (`any`), all of them
-- (`all`), or all in order at the distances the text has them (`phrase`: a stop word between two
-- words leaves a gap of one). A text with no words left matches nothing: its query is a lexeme of
-- one space, which no analysed text holds (an empty query would match nothing too, with a notice).
CREATE FUNCTION vecgate_text_match(config regconfig, analyzer jsonb, value text, mode text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
AS $$
  SELECT coalesce(
    CASE mode
      WHEN 'phrase' THEN string_agg(
        CASE WHEN prev IS NULL THEN '' ELSE ' <' || (pos - prev) || '> ' END || vecgate_tsquery_quote(lexeme), '' ORDER BY pos)
      ELSE string_agg(vecgate_tsquery_quote(lexeme), CASE mode WHEN 'all' THEN ' & ' ELSE ' | ' END ORDER BY pos)
    END, ''' ''')::tsquery
  FROM (SELECT lexeme, pos, lag(pos) OVER (ORDER BY pos) AS prev
        FROM vecgate_text_query_lexemes(config, analyzer, value)) q
$$;
