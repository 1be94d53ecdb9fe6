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
RETURN CASE WHEN cap IS NULL OR length(value) <= cap OR (cap < 255 AND value !~ ('[[:alnum:]]{' || (cap + 1) || '}'))
    THEN regexp_replace(lower(value), '[^[:alnum:]]+', ' ', 'g')
  -- Cutting words costs a regular expression with a capture, slow in PostgreSQL's engine: only
  -- for a text that has a word longer than the cap.
  ELSE regexp_replace(
    regexp_replace(lower(value), '[^[:alnum:]]+', ' ', 'g'),
    '([[:alnum:]]{' || cap || '})[[:alnum:]]+', '\1', 'g')
END;

-- The analysis functions a row's write calls are single expressions without a sub-select and
-- without STRICT, so that PostgreSQL inlines them into the caller: a SQL function it cannot inline
-- costs an executor start and end a call (the analysis of a 110-word value took 1.2 ms that way,
-- 0.55 ms inlined). What needs a sub-select is a function of its own, called only when needed.

-- The strings of an array, one after another.
CREATE FUNCTION vecgate_text_of_array(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT string_agg(e #>> '{}', ' ') FROM jsonb_array_elements(value) e WHERE jsonb_typeof(e) = 'string');

-- A value's text: a string, or the strings of an array one after another; null for anything else.
CREATE FUNCTION vecgate_text_of(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE jsonb_typeof(value)
  WHEN 'string' THEN value #>> '{}'
  WHEN 'array' THEN vecgate_text_of_array(value)
END;

-- Each word's character n-grams (all of them, or from its start only), as the analyser's `ngram` says.
CREATE FUNCTION vecgate_text_ngrams(analyzer jsonb, value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
  SELECT string_agg(substr(w, i, n), ' ' ORDER BY o, n, i)
  FROM regexp_split_to_table(vecgate_text_words(value, NULL), ' ') WITH ORDINALITY AS words(w, o),
    generate_series((analyzer #>> '{ngram,min}')::int, (analyzer #>> '{ngram,max}')::int) AS n,
    generate_series(1, CASE WHEN (analyzer #>> '{ngram,prefixOnly}')::boolean THEN 1 ELSE length(w) - n + 1 END) AS i
  WHERE length(w) >= n);

-- The words of a text as the analyser's tokenizer makes them (before stemming and stop words):
-- words, or each word's character n-grams.
CREATE FUNCTION vecgate_text_tokens(analyzer jsonb, value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN jsonb_typeof(analyzer -> 'ngram') = 'object' THEN vecgate_text_ngrams(analyzer, value)
  ELSE vecgate_text_words(value, coalesce((analyzer ->> 'cap')::int, 40))
END;

-- How many tokens an analysed value holds (stop words left out): BM25's document length.
CREATE FUNCTION vecgate_text_length(v tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN (SELECT coalesce(sum(array_length(positions, 1)), 0)::int FROM unnest(v));

-- How often a lexeme (`q`, a tsquery of that one lexeme) occurs in an analysed value: BM25's term
-- frequency. Read from ts_rank, which for a one-lexeme query with every weight 1 is
-- sum(1/j^2, j = 1..tf) / (pi^2/6), strictly increasing in tf: width_bucket finds tf among the
-- midpoints of those values for tf = 1..256 (a tsvector keeps at most 256 positions of a lexeme),
-- computed here by ts_rank itself, so that they are the platform's own. About 1 us a row, where
-- counting the lexeme's positions through unnest took 11 (the function is inlined; a sub-select
-- is not).
DO $$
BEGIN
  EXECUTE format(
    'CREATE FUNCTION vecgate_text_tf(v tsvector, q tsquery) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE '
    'RETURN width_bucket(ts_rank(''{1,1,1,1}'', v, q)::float8, %L::float8[])',
    (SELECT array_agg((lo + hi) / 2 ORDER BY k) FROM (
       SELECT k, coalesce(lag(r) OVER (ORDER BY k), 0) AS lo, r AS hi FROM (
         SELECT k, ts_rank('{1,1,1,1}', (SELECT string_agg('x:' || i, ' ') FROM generate_series(1, k) i)::tsvector, 'x'::tsquery)::float8 AS r
         FROM generate_series(1, 256) k) a) b));
END
$$;

-- A lexeme as tsquery input reads it: quoted, its quotes and backslashes escaped.
CREATE FUNCTION vecgate_tsquery_quote(lexeme text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || '''';

-- Token-by-token analysis of text fields, as Qdrant's text payload index makes tokens
-- (docs/full-text-search.md): an analyser with a `tokenizer` (word, whitespace, prefix, multilingual)
-- is not handed to PostgreSQL's parser, which would split `foo-bar` into three lexemes, but split
-- here, each token folded to ASCII, lowercased, dropped as a stop word, stemmed (ts_lexize with
-- vecgate's stem-only Snowball dictionaries) and dropped when outside the length bounds, in that
-- order; the tsvector is built from the tokens and their positions. An analyser without a
-- tokenizer (Pinecone's) keeps the path above, through to_tsvector.

-- Lucene's ASCIIFoldingFilter table (as Qdrant 1.19 carries it): a character and its ASCII form.
CREATE TABLE vecgate_ascii_folding (
  ch      text PRIMARY KEY,
  folded  text NOT NULL
);

INSERT INTO vecgate_ascii_folding (ch, folded) VALUES
  (U&'\00AB', '"'), (U&'\00B2', '2'), (U&'\00B3', '3'), (U&'\00B9', '1'), (U&'\00BB', '"'), (U&'\00C0', 'A'), (U&'\00C1', 'A'), (U&'\00C2', 'A'),
  (U&'\00C3', 'A'), (U&'\00C4', 'A'), (U&'\00C5', 'A'), (U&'\00C6', 'AE'), (U&'\00C7', 'C'), (U&'\00C8', 'E'), (U&'\00C9', 'E'), (U&'\00CA', 'E'),
  (U&'\00CB', 'E'), (U&'\00CC', 'I'), (U&'\00CD', 'I'), (U&'\00CE', 'I'), (U&'\00CF', 'I'), (U&'\00D0', 'D'), (U&'\00D1', 'N'), (U&'\00D2', 'O'),
  (U&'\00D3', 'O'), (U&'\00D4', 'O'), (U&'\00D5', 'O'), (U&'\00D6', 'O'), (U&'\00D8', 'O'), (U&'\00D9', 'U'), (U&'\00DA', 'U'), (U&'\00DB', 'U'),
  (U&'\00DC', 'U'), (U&'\00DD', 'Y'), (U&'\00DE', 'TH'), (U&'\00DF', 'ss'), (U&'\00E0', 'a'), (U&'\00E1', 'a'), (U&'\00E2', 'a'), (U&'\00E3', 'a'),
  (U&'\00E4', 'a'), (U&'\00E5', 'a'), (U&'\00E6', 'ae'), (U&'\00E7', 'c'), (U&'\00E8', 'e'), (U&'\00E9', 'e'), (U&'\00EA', 'e'), (U&'\00EB', 'e'),
  (U&'\00EC', 'i'), (U&'\00ED', 'i'), (U&'\00EE', 'i'), (U&'\00EF', 'i'), (U&'\00F0', 'd'), (U&'\00F1', 'n'), (U&'\00F2', 'o'), (U&'\00F3', 'o'),
  (U&'\00F4', 'o'), (U&'\00F5', 'o'), (U&'\00F6', 'o'), (U&'\00F8', 'o'), (U&'\00F9', 'u'), (U&'\00FA', 'u'), (U&'\00FB', 'u'), (U&'\00FC', 'u'),
  (U&'\00FD', 'y'), (U&'\00FE', 'th'), (U&'\00FF', 'y'), (U&'\0100', 'A'), (U&'\0101', 'a'), (U&'\0102', 'A'), (U&'\0103', 'a'), (U&'\0104', 'A'),
  (U&'\0105', 'a'), (U&'\0106', 'C'), (U&'\0107', 'c'), (U&'\0108', 'C'), (U&'\0109', 'c'), (U&'\010A', 'C'), (U&'\010B', 'c'), (U&'\010C', 'C'),
  (U&'\010D', 'c'), (U&'\010E', 'D'), (U&'\010F', 'd'), (U&'\0110', 'D'), (U&'\0111', 'd'), (U&'\0112', 'E'), (U&'\0113', 'e'), (U&'\0114', 'E'),
  (U&'\0115', 'e'), (U&'\0116', 'E'), (U&'\0117', 'e'), (U&'\0118', 'E'), (U&'\0119', 'e'), (U&'\011A', 'E'), (U&'\011B', 'e'), (U&'\011C', 'G'),
  (U&'\011D', 'g'), (U&'\011E', 'G'), (U&'\011F', 'g'), (U&'\0120', 'G'), (U&'\0121', 'g'), (U&'\0122', 'G'), (U&'\0123', 'g'), (U&'\0124', 'H'),
  (U&'\0125', 'h'), (U&'\0126', 'H'), (U&'\0127', 'h'), (U&'\0128', 'I'), (U&'\0129', 'i'), (U&'\012A', 'I'), (U&'\012B', 'i'), (U&'\012C', 'I'),
  (U&'\012D', 'i'), (U&'\012E', 'I'), (U&'\012F', 'i'), (U&'\0130', 'I'), (U&'\0131', 'i'), (U&'\0132', 'IJ'), (U&'\0133', 'ij'), (U&'\0134', 'J'),
  (U&'\0135', 'j'), (U&'\0136', 'K'), (U&'\0137', 'k'), (U&'\0138', 'q'), (U&'\0139', 'L'), (U&'\013A', 'l'), (U&'\013B', 'L'), (U&'\013C', 'l'),
  (U&'\013D', 'L'), (U&'\013E', 'l'), (U&'\013F', 'L'), (U&'\0140', 'l'), (U&'\0141', 'L'), (U&'\0142', 'l'), (U&'\0143', 'N'), (U&'\0144', 'n'),
  (U&'\0145', 'N'), (U&'\0146', 'n'), (U&'\0147', 'N'), (U&'\0148', 'n'), (U&'\0149', 'n'), (U&'\014A', 'N'), (U&'\014B', 'n'), (U&'\014C', 'O'),
  (U&'\014D', 'o'), (U&'\014E', 'O'), (U&'\014F', 'o'), (U&'\0150', 'O'), (U&'\0151', 'o'), (U&'\0152', 'OE'), (U&'\0153', 'oe'), (U&'\0154', 'R'),
  (U&'\0155', 'r'), (U&'\0156', 'R'), (U&'\0157', 'r'), (U&'\0158', 'R'), (U&'\0159', 'r'), (U&'\015A', 'S'), (U&'\015B', 's'), (U&'\015C', 'S'),
  (U&'\015D', 's'), (U&'\015E', 'S'), (U&'\015F', 's'), (U&'\0160', 'S'), (U&'\0161', 's'), (U&'\0162', 'T'), (U&'\0163', 't'), (U&'\0164', 'T'),
  (U&'\0165', 't'), (U&'\0166', 'T'), (U&'\0167', 't'), (U&'\0168', 'U'), (U&'\0169', 'u'), (U&'\016A', 'U'), (U&'\016B', 'u'), (U&'\016C', 'U'),
  (U&'\016D', 'u'), (U&'\016E', 'U'), (U&'\016F', 'u'), (U&'\0170', 'U'), (U&'\0171', 'u'), (U&'\0172', 'U'), (U&'\0173', 'u'), (U&'\0174', 'W'),
  (U&'\0175', 'w'), (U&'\0176', 'Y'), (U&'\0177', 'y'), (U&'\0178', 'Y'), (U&'\0179', 'Z'), (U&'\017A', 'z'), (U&'\017B', 'Z'), (U&'\017C', 'z'),
  (U&'\017D', 'Z'), (U&'\017E', 'z'), (U&'\017F', 's'), (U&'\0180', 'b'), (U&'\0181', 'B'), (U&'\0182', 'B'), (U&'\0183', 'b'), (U&'\0186', 'O'),
  (U&'\0187', 'C'), (U&'\0188', 'c'), (U&'\0189', 'D'), (U&'\018A', 'D'), (U&'\018B', 'D'), (U&'\018C', 'd'), (U&'\018E', 'E'), (U&'\0190', 'E'),
  (U&'\0191', 'F'), (U&'\0192', 'f'), (U&'\0193', 'G'), (U&'\0195', 'hv'), (U&'\0196', 'I'), (U&'\0197', 'I'), (U&'\0198', 'K'), (U&'\0199', 'k'),
  (U&'\019A', 'l'), (U&'\019C', 'M'), (U&'\019D', 'N'), (U&'\019E', 'n'), (U&'\019F', 'O'), (U&'\01A0', 'O'), (U&'\01A1', 'o'), (U&'\01A4', 'P'),
  (U&'\01A5', 'p'), (U&'\01AB', 't'), (U&'\01AC', 'T'), (U&'\01AD', 't'), (U&'\01AE', 'T'), (U&'\01AF', 'U'), (U&'\01B0', 'u'), (U&'\01B2', 'V'),
  (U&'\01B3', 'Y'), (U&'\01B4', 'y'), (U&'\01B5', 'Z'), (U&'\01B6', 'z'), (U&'\01BF', 'w'), (U&'\01C4', 'DZ'), (U&'\01C5', 'Dz'), (U&'\01C6', 'dz'),
  (U&'\01C7', 'LJ'), (U&'\01C8', 'Lj'), (U&'\01C9', 'lj'), (U&'\01CA', 'NJ'), (U&'\01CB', 'Nj'), (U&'\01CC', 'nj'), (U&'\01CD', 'A'), (U&'\01CE', 'a'),
  (U&'\01CF', 'I'), (U&'\01D0', 'i'), (U&'\01D1', 'O'), (U&'\01D2', 'o'), (U&'\01D3', 'U'), (U&'\01D4', 'u'), (U&'\01D5', 'U'), (U&'\01D6', 'u'),
  (U&'\01D7', 'U'), (U&'\01D8', 'u'), (U&'\01D9', 'U'), (U&'\01DA', 'u'), (U&'\01DB', 'U'), (U&'\01DC', 'u'), (U&'\01DD', 'e'), (U&'\01DE', 'A'),
  (U&'\01DF', 'a'), (U&'\01E0', 'A'), (U&'\01E1', 'a'), (U&'\01E2', 'AE'), (U&'\01E3', 'ae'), (U&'\01E4', 'G'), (U&'\01E5', 'g'), (U&'\01E6', 'G'),
  (U&'\01E7', 'g'), (U&'\01E8', 'K'), (U&'\01E9', 'k'), (U&'\01EA', 'O'), (U&'\01EB', 'o'), (U&'\01EC', 'O'), (U&'\01ED', 'o'), (U&'\01F0', 'j'),
  (U&'\01F1', 'DZ'), (U&'\01F2', 'Dz'), (U&'\01F3', 'dz'), (U&'\01F4', 'G'), (U&'\01F5', 'g'), (U&'\01F6', 'HV'), (U&'\01F7', 'W'), (U&'\01F8', 'N'),
  (U&'\01F9', 'n'), (U&'\01FA', 'A'), (U&'\01FB', 'a'), (U&'\01FC', 'AE'), (U&'\01FD', 'ae'), (U&'\01FE', 'O'), (U&'\01FF', 'o'), (U&'\0200', 'A'),
  (U&'\0201', 'a'), (U&'\0202', 'A'), (U&'\0203', 'a'), (U&'\0204', 'E'), (U&'\0205', 'e'), (U&'\0206', 'E'), (U&'\0207', 'e'), (U&'\0208', 'I'),
  (U&'\0209', 'i'), (U&'\020A', 'I'), (U&'\020B', 'i'), (U&'\020C', 'O'), (U&'\020D', 'o'), (U&'\020E', 'O'), (U&'\020F', 'o'), (U&'\0210', 'R'),
  (U&'\0211', 'r'), (U&'\0212', 'R'), (U&'\0213', 'r'), (U&'\0214', 'U'), (U&'\0215', 'u'), (U&'\0216', 'U'), (U&'\0217', 'u'), (U&'\0218', 'S'),
  (U&'\0219', 's'), (U&'\021A', 'T'), (U&'\021B', 't'), (U&'\021C', 'Z'), (U&'\021D', 'z'), (U&'\021E', 'H'), (U&'\021F', 'h'), (U&'\0220', 'N'),
  (U&'\0221', 'd'), (U&'\0222', 'OU'), (U&'\0223', 'ou'), (U&'\0224', 'Z'), (U&'\0225', 'z'), (U&'\0226', 'A'), (U&'\0227', 'a'), (U&'\0228', 'E'),
  (U&'\0229', 'e'), (U&'\022A', 'O'), (U&'\022B', 'o'), (U&'\022C', 'O'), (U&'\022D', 'o'), (U&'\022E', 'O'), (U&'\022F', 'o'), (U&'\0230', 'O'),
  (U&'\0231', 'o'), (U&'\0232', 'Y'), (U&'\0233', 'y'), (U&'\0234', 'l'), (U&'\0235', 'n'), (U&'\0236', 't'), (U&'\0237', 'j'), (U&'\0238', 'db'),
  (U&'\0239', 'qp'), (U&'\023A', 'A'), (U&'\023B', 'C'), (U&'\023C', 'c'), (U&'\023D', 'L'), (U&'\023E', 'T'), (U&'\023F', 's'), (U&'\0240', 'z'),
  (U&'\0243', 'B'), (U&'\0244', 'U'), (U&'\0245', 'V'), (U&'\0246', 'E'), (U&'\0247', 'e'), (U&'\0248', 'J'), (U&'\0249', 'j'), (U&'\024A', 'Q'),
  (U&'\024B', 'q'), (U&'\024C', 'R'), (U&'\024D', 'r'), (U&'\024E', 'Y'), (U&'\024F', 'y'), (U&'\0250', 'a'), (U&'\0253', 'b'), (U&'\0254', 'o'),
  (U&'\0255', 'c'), (U&'\0256', 'd'), (U&'\0257', 'd'), (U&'\0258', 'e'), (U&'\0259', 'a'), (U&'\025A', 'a'), (U&'\025B', 'e'), (U&'\025C', 'e'),
  (U&'\025D', 'e'), (U&'\025E', 'e'), (U&'\025F', 'j'), (U&'\0260', 'g'), (U&'\0261', 'g'), (U&'\0262', 'G'), (U&'\0265', 'h'), (U&'\0266', 'h'),
  (U&'\0268', 'i'), (U&'\026A', 'I'), (U&'\026B', 'l'), (U&'\026C', 'l'), (U&'\026D', 'l'), (U&'\026F', 'm'), (U&'\0270', 'm'), (U&'\0271', 'm'),
  (U&'\0272', 'n'), (U&'\0273', 'n'), (U&'\0274', 'N'), (U&'\0275', 'o'), (U&'\0276', 'OE'), (U&'\027C', 'r'), (U&'\027D', 'r'), (U&'\027E', 'r'),
  (U&'\027F', 'r'), (U&'\0280', 'R'), (U&'\0281', 'R'), (U&'\0282', 's'), (U&'\0284', 'j'), (U&'\0287', 't'), (U&'\0288', 't'), (U&'\0289', 'u'),
  (U&'\028B', 'v'), (U&'\028C', 'v'), (U&'\028D', 'w'), (U&'\028E', 'y'), (U&'\028F', 'Y'), (U&'\0290', 'z'), (U&'\0291', 'z'), (U&'\0297', 'C'),
  (U&'\0299', 'B'), (U&'\029A', 'e'), (U&'\029B', 'G'), (U&'\029C', 'H'), (U&'\029D', 'j'), (U&'\029E', 'k'), (U&'\029F', 'L'), (U&'\02A0', 'q'),
  (U&'\02A3', 'dz'), (U&'\02A5', 'dz'), (U&'\02A6', 'ts'), (U&'\02A8', 'tc'), (U&'\02AA', 'ls'), (U&'\02AB', 'lz'), (U&'\02AE', 'h'), (U&'\02AF', 'h'),
  (U&'\1D00', 'A'), (U&'\1D01', 'AE'), (U&'\1D02', 'ae'), (U&'\1D03', 'B'), (U&'\1D04', 'C'), (U&'\1D05', 'D'), (U&'\1D06', 'D'), (U&'\1D07', 'E'),
  (U&'\1D08', 'e'), (U&'\1D09', 'i'), (U&'\1D0A', 'J'), (U&'\1D0B', 'K'), (U&'\1D0C', 'L'), (U&'\1D0D', 'M'), (U&'\1D0E', 'N'), (U&'\1D0F', 'O'),
  (U&'\1D10', 'O'), (U&'\1D14', 'oe'), (U&'\1D15', 'OU'), (U&'\1D16', 'o'), (U&'\1D17', 'o'), (U&'\1D18', 'P'), (U&'\1D19', 'R'), (U&'\1D1A', 'R'),
  (U&'\1D1B', 'T'), (U&'\1D1C', 'U'), (U&'\1D20', 'V'), (U&'\1D21', 'W'), (U&'\1D22', 'Z'), (U&'\1D62', 'i'), (U&'\1D63', 'r'), (U&'\1D64', 'u'),
  (U&'\1D65', 'v'), (U&'\1D6B', 'ue'), (U&'\1D6C', 'b'), (U&'\1D6D', 'd'), (U&'\1D6E', 'f'), (U&'\1D6F', 'm'), (U&'\1D70', 'n'), (U&'\1D71', 'p'),
  (U&'\1D72', 'r'), (U&'\1D73', 'r'), (U&'\1D74', 's'), (U&'\1D75', 't'), (U&'\1D76', 'z'), (U&'\1D77', 'g'), (U&'\1D79', 'g'), (U&'\1D7A', 'th'),
  (U&'\1D7B', 'I'), (U&'\1D7C', 'i'), (U&'\1D7D', 'p'), (U&'\1D7E', 'U'), (U&'\1D80', 'b'), (U&'\1D81', 'd'), (U&'\1D82', 'f'), (U&'\1D83', 'g'),
  (U&'\1D84', 'k'), (U&'\1D85', 'l'), (U&'\1D86', 'm'), (U&'\1D87', 'n'), (U&'\1D88', 'p'), (U&'\1D89', 'r'), (U&'\1D8A', 's'), (U&'\1D8C', 'v'),
  (U&'\1D8D', 'x'), (U&'\1D8E', 'z'), (U&'\1D8F', 'a'), (U&'\1D91', 'd'), (U&'\1D92', 'e'), (U&'\1D93', 'e'), (U&'\1D94', 'e'), (U&'\1D95', 'a'),
  (U&'\1D96', 'i'), (U&'\1D97', 'o'), (U&'\1D99', 'u'), (U&'\1E00', 'A'), (U&'\1E01', 'a'), (U&'\1E02', 'B'), (U&'\1E03', 'b'), (U&'\1E04', 'B'),
  (U&'\1E05', 'b'), (U&'\1E06', 'B'), (U&'\1E07', 'b'), (U&'\1E08', 'C'), (U&'\1E09', 'c'), (U&'\1E0A', 'D'), (U&'\1E0B', 'd'), (U&'\1E0C', 'D'),
  (U&'\1E0D', 'd'), (U&'\1E0E', 'D'), (U&'\1E0F', 'd'), (U&'\1E10', 'D'), (U&'\1E11', 'd'), (U&'\1E12', 'D'), (U&'\1E13', 'd'), (U&'\1E14', 'E'),
  (U&'\1E15', 'e'), (U&'\1E16', 'E'), (U&'\1E17', 'e'), (U&'\1E18', 'E'), (U&'\1E19', 'e'), (U&'\1E1A', 'E'), (U&'\1E1B', 'e'), (U&'\1E1C', 'E'),
  (U&'\1E1D', 'e'), (U&'\1E1E', 'F'), (U&'\1E1F', 'f'), (U&'\1E20', 'G'), (U&'\1E21', 'g'), (U&'\1E22', 'H'), (U&'\1E23', 'h'), (U&'\1E24', 'H'),
  (U&'\1E25', 'h'), (U&'\1E26', 'H'), (U&'\1E27', 'h'), (U&'\1E28', 'H'), (U&'\1E29', 'h'), (U&'\1E2A', 'H'), (U&'\1E2B', 'h'), (U&'\1E2C', 'I'),
  (U&'\1E2D', 'i'), (U&'\1E2E', 'I'), (U&'\1E2F', 'i'), (U&'\1E30', 'K'), (U&'\1E31', 'k'), (U&'\1E32', 'K'), (U&'\1E33', 'k'), (U&'\1E34', 'K'),
  (U&'\1E35', 'k'), (U&'\1E36', 'L'), (U&'\1E37', 'l'), (U&'\1E38', 'L'), (U&'\1E39', 'l'), (U&'\1E3A', 'L'), (U&'\1E3B', 'l'), (U&'\1E3C', 'L'),
  (U&'\1E3D', 'l'), (U&'\1E3E', 'M'), (U&'\1E3F', 'm'), (U&'\1E40', 'M'), (U&'\1E41', 'm'), (U&'\1E42', 'M'), (U&'\1E43', 'm'), (U&'\1E44', 'N'),
  (U&'\1E45', 'n'), (U&'\1E46', 'N'), (U&'\1E47', 'n'), (U&'\1E48', 'N'), (U&'\1E49', 'n'), (U&'\1E4A', 'N'), (U&'\1E4B', 'n'), (U&'\1E4C', 'O'),
  (U&'\1E4D', 'o'), (U&'\1E4E', 'O'), (U&'\1E4F', 'o'), (U&'\1E50', 'O'), (U&'\1E51', 'o'), (U&'\1E52', 'O'), (U&'\1E53', 'o'), (U&'\1E54', 'P'),
  (U&'\1E55', 'p'), (U&'\1E56', 'P'), (U&'\1E57', 'p'), (U&'\1E58', 'R'), (U&'\1E59', 'r'), (U&'\1E5A', 'R'), (U&'\1E5B', 'r'), (U&'\1E5C', 'R'),
  (U&'\1E5D', 'r'), (U&'\1E5E', 'R'), (U&'\1E5F', 'r'), (U&'\1E60', 'S'), (U&'\1E61', 's'), (U&'\1E62', 'S'), (U&'\1E63', 's'), (U&'\1E64', 'S'),
  (U&'\1E65', 's'), (U&'\1E66', 'S'), (U&'\1E67', 's'), (U&'\1E68', 'S'), (U&'\1E69', 's'), (U&'\1E6A', 'T'), (U&'\1E6B', 't'), (U&'\1E6C', 'T'),
  (U&'\1E6D', 't'), (U&'\1E6E', 'T'), (U&'\1E6F', 't'), (U&'\1E70', 'T'), (U&'\1E71', 't'), (U&'\1E72', 'U'), (U&'\1E73', 'u'), (U&'\1E74', 'U'),
  (U&'\1E75', 'u'), (U&'\1E76', 'U'), (U&'\1E77', 'u'), (U&'\1E78', 'U'), (U&'\1E79', 'u'), (U&'\1E7A', 'U'), (U&'\1E7B', 'u'), (U&'\1E7C', 'V'),
  (U&'\1E7D', 'v'), (U&'\1E7E', 'V'), (U&'\1E7F', 'v'), (U&'\1E80', 'W'), (U&'\1E81', 'w'), (U&'\1E82', 'W'), (U&'\1E83', 'w'), (U&'\1E84', 'W'),
  (U&'\1E85', 'w'), (U&'\1E86', 'W'), (U&'\1E87', 'w'), (U&'\1E88', 'W'), (U&'\1E89', 'w'), (U&'\1E8A', 'X'), (U&'\1E8B', 'x'), (U&'\1E8C', 'X'),
  (U&'\1E8D', 'x'), (U&'\1E8E', 'Y'), (U&'\1E8F', 'y'), (U&'\1E90', 'Z'), (U&'\1E91', 'z'), (U&'\1E92', 'Z'), (U&'\1E93', 'z'), (U&'\1E94', 'Z'),
  (U&'\1E95', 'z'), (U&'\1E96', 'h'), (U&'\1E97', 't'), (U&'\1E98', 'w'), (U&'\1E99', 'y'), (U&'\1E9A', 'a'), (U&'\1E9B', 'f'), (U&'\1E9C', 's'),
  (U&'\1E9D', 's'), (U&'\1E9E', 'SS'), (U&'\1EA0', 'A'), (U&'\1EA1', 'a'), (U&'\1EA2', 'A'), (U&'\1EA3', 'a'), (U&'\1EA4', 'A'), (U&'\1EA5', 'a'),
  (U&'\1EA6', 'A'), (U&'\1EA7', 'a'), (U&'\1EA8', 'A'), (U&'\1EA9', 'a'), (U&'\1EAA', 'A'), (U&'\1EAB', 'a'), (U&'\1EAC', 'A'), (U&'\1EAD', 'a'),
  (U&'\1EAE', 'A'), (U&'\1EAF', 'a'), (U&'\1EB0', 'A'), (U&'\1EB1', 'a'), (U&'\1EB2', 'A'), (U&'\1EB3', 'a'), (U&'\1EB4', 'A'), (U&'\1EB5', 'a'),
  (U&'\1EB6', 'A'), (U&'\1EB7', 'a'), (U&'\1EB8', 'E'), (U&'\1EB9', 'e'), (U&'\1EBA', 'E'), (U&'\1EBB', 'e'), (U&'\1EBC', 'E'), (U&'\1EBD', 'e'),
  (U&'\1EBE', 'E'), (U&'\1EBF', 'e'), (U&'\1EC0', 'E'), (U&'\1EC1', 'e'), (U&'\1EC2', 'E'), (U&'\1EC3', 'e'), (U&'\1EC4', 'E'), (U&'\1EC5', 'e'),
  (U&'\1EC6', 'E'), (U&'\1EC7', 'e'), (U&'\1EC8', 'I'), (U&'\1EC9', 'i'), (U&'\1ECA', 'I'), (U&'\1ECB', 'i'), (U&'\1ECC', 'O'), (U&'\1ECD', 'o'),
  (U&'\1ECE', 'O'), (U&'\1ECF', 'o'), (U&'\1ED0', 'O'), (U&'\1ED1', 'o'), (U&'\1ED2', 'O'), (U&'\1ED3', 'o'), (U&'\1ED4', 'O'), (U&'\1ED5', 'o'),
  (U&'\1ED6', 'O'), (U&'\1ED7', 'o'), (U&'\1ED8', 'O'), (U&'\1ED9', 'o'), (U&'\1EDA', 'O'), (U&'\1EDB', 'o'), (U&'\1EDC', 'O'), (U&'\1EDD', 'o'),
  (U&'\1EDE', 'O'), (U&'\1EDF', 'o'), (U&'\1EE0', 'O'), (U&'\1EE1', 'o'), (U&'\1EE2', 'O'), (U&'\1EE3', 'o'), (U&'\1EE4', 'U'), (U&'\1EE5', 'u'),
  (U&'\1EE6', 'U'), (U&'\1EE7', 'u'), (U&'\1EE8', 'U'), (U&'\1EE9', 'u'), (U&'\1EEA', 'U'), (U&'\1EEB', 'u'), (U&'\1EEC', 'U'), (U&'\1EED', 'u'),
  (U&'\1EEE', 'U'), (U&'\1EEF', 'u'), (U&'\1EF0', 'U'), (U&'\1EF1', 'u'), (U&'\1EF2', 'Y'), (U&'\1EF3', 'y'), (U&'\1EF4', 'Y'), (U&'\1EF5', 'y'),
  (U&'\1EF6', 'Y'), (U&'\1EF7', 'y'), (U&'\1EF8', 'Y'), (U&'\1EF9', 'y'), (U&'\1EFA', 'LL'), (U&'\1EFB', 'll'), (U&'\1EFC', 'V'), (U&'\1EFE', 'Y'),
  (U&'\1EFF', 'y'), (U&'\2010', '-'), (U&'\2011', '-'), (U&'\2012', '-'), (U&'\2013', '-'), (U&'\2014', '-'), (U&'\2018', ''''), (U&'\2019', ''''),
  (U&'\201A', ''''), (U&'\201B', ''''), (U&'\201C', '"'), (U&'\201D', '"'), (U&'\201E', '"'), (U&'\2032', ''''), (U&'\2033', '"'), (U&'\2035', ''''),
  (U&'\2036', '"'), (U&'\2038', '^'), (U&'\2039', ''''), (U&'\203A', ''''), (U&'\203C', '!!'), (U&'\2044', '/'), (U&'\2045', '['), (U&'\2046', ']'),
  (U&'\2047', '??'), (U&'\2048', '?!'), (U&'\2049', '!?'), (U&'\204E', '*'), (U&'\204F', ';'), (U&'\2052', '%'), (U&'\2053', '~'), (U&'\2070', '0'),
  (U&'\2071', 'i'), (U&'\2074', '4'), (U&'\2075', '5'), (U&'\2076', '6'), (U&'\2077', '7'), (U&'\2078', '8'), (U&'\2079', '9'), (U&'\207A', '+'),
  (U&'\207B', '-'), (U&'\207C', '='), (U&'\207D', '('), (U&'\207E', ')'), (U&'\207F', 'n'), (U&'\2080', '0'), (U&'\2081', '1'), (U&'\2082', '2'),
  (U&'\2083', '3'), (U&'\2084', '4'), (U&'\2085', '5'), (U&'\2086', '6'), (U&'\2087', '7'), (U&'\2088', '8'), (U&'\2089', '9'), (U&'\208A', '+'),
  (U&'\208B', '-'), (U&'\208C', '='), (U&'\208D', '('), (U&'\208E', ')'), (U&'\2090', 'a'), (U&'\2091', 'e'), (U&'\2092', 'o'), (U&'\2093', 'x'),
  (U&'\2094', 'a'), (U&'\2184', 'c'), (U&'\2460', '1'), (U&'\2461', '2'), (U&'\2462', '3'), (U&'\2463', '4'), (U&'\2464', '5'), (U&'\2465', '6'),
  (U&'\2466', '7'), (U&'\2467', '8'), (U&'\2468', '9'), (U&'\2469', '10'), (U&'\246A', '11'), (U&'\246B', '12'), (U&'\246C', '13'), (U&'\246D', '14'),
  (U&'\246E', '15'), (U&'\246F', '16'), (U&'\2470', '17'), (U&'\2471', '18'), (U&'\2472', '19'), (U&'\2473', '20'), (U&'\2474', '(1)'), (U&'\2475', '(2)'),
  (U&'\2476', '(3)'), (U&'\2477', '(4)'), (U&'\2478', '(5)'), (U&'\2479', '(6)'), (U&'\247A', '(7)'), (U&'\247B', '(8)'), (U&'\247C', '(9)'), (U&'\247D', '(10)'),
  (U&'\247E', '(11)'), (U&'\247F', '(12)'), (U&'\2480', '(13)'), (U&'\2481', '(14)'), (U&'\2482', '(15)'), (U&'\2483', '(16)'), (U&'\2484', '(17)'), (U&'\2485', '(18)'),
  (U&'\2486', '(19)'), (U&'\2487', '(20)'), (U&'\2488', '1.'), (U&'\2489', '2.'), (U&'\248A', '3.'), (U&'\248B', '4.'), (U&'\248C', '5.'), (U&'\248D', '6.'),
  (U&'\248E', '7.'), (U&'\248F', '8.'), (U&'\2490', '9.'), (U&'\2491', '10.'), (U&'\2492', '11.'), (U&'\2493', '12.'), (U&'\2494', '13.'), (U&'\2495', '14.'),
  (U&'\2496', '15.'), (U&'\2497', '16.'), (U&'\2498', '17.'), (U&'\2499', '18.'), (U&'\249A', '19.'), (U&'\249B', '20.'), (U&'\249C', '(a)'), (U&'\249D', '(b)'),
  (U&'\249E', '(c)'), (U&'\249F', '(d)'), (U&'\24A0', '(e)'), (U&'\24A1', '(f)'), (U&'\24A2', '(g)'), (U&'\24A3', '(h)'), (U&'\24A4', '(i)'), (U&'\24A5', '(j)'),
  (U&'\24A6', '(k)'), (U&'\24A7', '(l)'), (U&'\24A8', '(m)'), (U&'\24A9', '(n)'), (U&'\24AA', '(o)'), (U&'\24AB', '(p)'), (U&'\24AC', '(q)'), (U&'\24AD', '(r)'),
  (U&'\24AE', '(s)'), (U&'\24AF', '(t)'), (U&'\24B0', '(u)'), (U&'\24B1', '(v)'), (U&'\24B2', '(w)'), (U&'\24B3', '(x)'), (U&'\24B4', '(y)'), (U&'\24B5', '(z)'),
  (U&'\24B6', 'A'), (U&'\24B7', 'B'), (U&'\24B8', 'C'), (U&'\24B9', 'D'), (U&'\24BA', 'E'), (U&'\24BB', 'F'), (U&'\24BC', 'G'), (U&'\24BD', 'H'),
  (U&'\24BE', 'I'), (U&'\24BF', 'J'), (U&'\24C0', 'K'), (U&'\24C1', 'L'), (U&'\24C2', 'M'), (U&'\24C3', 'N'), (U&'\24C4', 'O'), (U&'\24C5', 'P'),
  (U&'\24C6', 'Q'), (U&'\24C7', 'R'), (U&'\24C8', 'S'), (U&'\24C9', 'T'), (U&'\24CA', 'U'), (U&'\24CB', 'V'), (U&'\24CC', 'W'), (U&'\24CD', 'X'),
  (U&'\24CE', 'Y'), (U&'\24CF', 'Z'), (U&'\24D0', 'a'), (U&'\24D1', 'b'), (U&'\24D2', 'c'), (U&'\24D3', 'd'), (U&'\24D4', 'e'), (U&'\24D5', 'f'),
  (U&'\24D6', 'g'), (U&'\24D7', 'h'), (U&'\24D8', 'i'), (U&'\24D9', 'j'), (U&'\24DA', 'k'), (U&'\24DB', 'l'), (U&'\24DC', 'm'), (U&'\24DD', 'n'),
  (U&'\24DE', 'o'), (U&'\24DF', 'p'), (U&'\24E0', 'q'), (U&'\24E1', 'r'), (U&'\24E2', 's'), (U&'\24E3', 't'), (U&'\24E4', 'u'), (U&'\24E5', 'v'),
  (U&'\24E6', 'w'), (U&'\24E7', 'x'), (U&'\24E8', 'y'), (U&'\24E9', 'z'), (U&'\24EA', '0'), (U&'\24EB', '11'), (U&'\24EC', '12'), (U&'\24ED', '13'),
  (U&'\24EE', '14'), (U&'\24EF', '15'), (U&'\24F0', '16'), (U&'\24F1', '17'), (U&'\24F2', '18'), (U&'\24F3', '19'), (U&'\24F4', '20'), (U&'\24F5', '1'),
  (U&'\24F6', '2'), (U&'\24F7', '3'), (U&'\24F8', '4'), (U&'\24F9', '5'), (U&'\24FA', '6'), (U&'\24FB', '7'), (U&'\24FC', '8'), (U&'\24FD', '9'),
  (U&'\24FE', '10'), (U&'\24FF', '0'), (U&'\275B', ''''), (U&'\275C', ''''), (U&'\275D', '"'), (U&'\275E', '"'), (U&'\2768', '('), (U&'\2769', ')'),
  (U&'\276A', '('), (U&'\276B', ')'), (U&'\276C', '<'), (U&'\276D', '>'), (U&'\276E', '"'), (U&'\276F', '"'), (U&'\2770', '<'), (U&'\2771', '>'),
  (U&'\2772', '['), (U&'\2773', ']'), (U&'\2774', '{'), (U&'\2775', '}'), (U&'\2776', '1'), (U&'\2777', '2'), (U&'\2778', '3'), (U&'\2779', '4'),
  (U&'\277A', '5'), (U&'\277B', '6'), (U&'\277C', '7'), (U&'\277D', '8'), (U&'\277E', '9'), (U&'\277F', '10'), (U&'\2780', '1'), (U&'\2781', '2'),
  (U&'\2782', '3'), (U&'\2783', '4'), (U&'\2784', '5'), (U&'\2785', '6'), (U&'\2786', '7'), (U&'\2787', '8'), (U&'\2788', '9'), (U&'\2789', '10'),
  (U&'\278A', '1'), (U&'\278B', '2'), (U&'\278C', '3'), (U&'\278D', '4'), (U&'\278E', '5'), (U&'\278F', '6'), (U&'\2790', '7'), (U&'\2791', '8'),
  (U&'\2792', '9'), (U&'\2793', '10'), (U&'\2C60', 'L'), (U&'\2C61', 'l'), (U&'\2C62', 'L'), (U&'\2C63', 'P'), (U&'\2C64', 'R'), (U&'\2C65', 'a'),
  (U&'\2C66', 't'), (U&'\2C67', 'H'), (U&'\2C68', 'h'), (U&'\2C69', 'K'), (U&'\2C6A', 'k'), (U&'\2C6B', 'Z'), (U&'\2C6C', 'z'), (U&'\2C6E', 'M'),
  (U&'\2C6F', 'a'), (U&'\2C71', 'v'), (U&'\2C72', 'W'), (U&'\2C73', 'w'), (U&'\2C74', 'v'), (U&'\2C75', 'H'), (U&'\2C76', 'h'), (U&'\2C78', 'e'),
  (U&'\2C7A', 'o'), (U&'\2C7B', 'E'), (U&'\2C7C', 'j'), (U&'\2E28', '(('), (U&'\2E29', '))'), (U&'\A728', 'TZ'), (U&'\A729', 'tz'), (U&'\A730', 'F'),
  (U&'\A731', 'S'), (U&'\A732', 'AA'), (U&'\A733', 'aa'), (U&'\A734', 'AO'), (U&'\A735', 'ao'), (U&'\A736', 'AU'), (U&'\A737', 'au'), (U&'\A738', 'AV'),
  (U&'\A739', 'av'), (U&'\A73A', 'AV'), (U&'\A73B', 'av'), (U&'\A73C', 'AY'), (U&'\A73D', 'ay'), (U&'\A73E', 'c'), (U&'\A73F', 'c'), (U&'\A740', 'K'),
  (U&'\A741', 'k'), (U&'\A742', 'K'), (U&'\A743', 'k'), (U&'\A744', 'K'), (U&'\A745', 'k'), (U&'\A746', 'L'), (U&'\A747', 'l'), (U&'\A748', 'L'),
  (U&'\A749', 'l'), (U&'\A74A', 'O'), (U&'\A74B', 'o'), (U&'\A74C', 'O'), (U&'\A74D', 'o'), (U&'\A74E', 'OO'), (U&'\A74F', 'oo'), (U&'\A750', 'P'),
  (U&'\A751', 'p'), (U&'\A752', 'P'), (U&'\A753', 'p'), (U&'\A754', 'P'), (U&'\A755', 'p'), (U&'\A756', 'Q'), (U&'\A757', 'q'), (U&'\A758', 'Q'),
  (U&'\A759', 'q'), (U&'\A75A', 'R'), (U&'\A75B', 'r'), (U&'\A75E', 'V'), (U&'\A75F', 'v'), (U&'\A760', 'VY'), (U&'\A761', 'vy'), (U&'\A762', 'Z'),
  (U&'\A763', 'z'), (U&'\A766', 'TH'), (U&'\A767', 'th'), (U&'\A768', 'V'), (U&'\A779', 'D'), (U&'\A77A', 'd'), (U&'\A77B', 'F'), (U&'\A77C', 'f'),
  (U&'\A77D', 'G'), (U&'\A77E', 'G'), (U&'\A77F', 'g'), (U&'\A780', 'L'), (U&'\A781', 'l'), (U&'\A782', 'R'), (U&'\A783', 'r'), (U&'\A784', 's'),
  (U&'\A785', 'S'), (U&'\A786', 'T'), (U&'\A7FB', 'F'), (U&'\A7FC', 'p'), (U&'\A7FD', 'M'), (U&'\A7FE', 'I'), (U&'\A7FF', 'M'), (U&'\FB00', 'ff'),
  (U&'\FB01', 'fi'), (U&'\FB02', 'fl'), (U&'\FB03', 'ffi'), (U&'\FB04', 'ffl'), (U&'\FB06', 'st'), (U&'\FF01', '!'), (U&'\FF02', '"'), (U&'\FF03', '#'),
  (U&'\FF04', '$'), (U&'\FF05', '%'), (U&'\FF06', '&'), (U&'\FF07', ''''), (U&'\FF08', '('), (U&'\FF09', ')'), (U&'\FF0A', '*'), (U&'\FF0B', '+'),
  (U&'\FF0C', ','), (U&'\FF0D', '-'), (U&'\FF0E', '.'), (U&'\FF0F', '/'), (U&'\FF10', '0'), (U&'\FF11', '1'), (U&'\FF12', '2'), (U&'\FF13', '3'),
  (U&'\FF14', '4'), (U&'\FF15', '5'), (U&'\FF16', '6'), (U&'\FF17', '7'), (U&'\FF18', '8'), (U&'\FF19', '9'), (U&'\FF1A', ':'), (U&'\FF1B', ';'),
  (U&'\FF1C', '<'), (U&'\FF1D', '='), (U&'\FF1E', '>'), (U&'\FF1F', '?'), (U&'\FF20', '@'), (U&'\FF21', 'A'), (U&'\FF22', 'B'), (U&'\FF23', 'C'),
  (U&'\FF24', 'D'), (U&'\FF25', 'E'), (U&'\FF26', 'F'), (U&'\FF27', 'G'), (U&'\FF28', 'H'), (U&'\FF29', 'I'), (U&'\FF2A', 'J'), (U&'\FF2B', 'K'),
  (U&'\FF2C', 'L'), (U&'\FF2D', 'M'), (U&'\FF2E', 'N'), (U&'\FF2F', 'O'), (U&'\FF30', 'P'), (U&'\FF31', 'Q'), (U&'\FF32', 'R'), (U&'\FF33', 'S'),
  (U&'\FF34', 'T'), (U&'\FF35', 'U'), (U&'\FF36', 'V'), (U&'\FF37', 'W'), (U&'\FF38', 'X'), (U&'\FF39', 'Y'), (U&'\FF3A', 'Z'), (U&'\FF3B', '['),
  (U&'\FF3C', '\'), (U&'\FF3D', ']'), (U&'\FF3E', '^'), (U&'\FF3F', '_'), (U&'\FF41', 'a'), (U&'\FF42', 'b'), (U&'\FF43', 'c'), (U&'\FF44', 'd'),
  (U&'\FF45', 'e'), (U&'\FF46', 'f'), (U&'\FF47', 'g'), (U&'\FF48', 'h'), (U&'\FF49', 'i'), (U&'\FF4A', 'j'), (U&'\FF4B', 'k'), (U&'\FF4C', 'l'),
  (U&'\FF4D', 'm'), (U&'\FF4E', 'n'), (U&'\FF4F', 'o'), (U&'\FF50', 'p'), (U&'\FF51', 'q'), (U&'\FF52', 'r'), (U&'\FF53', 's'), (U&'\FF54', 't'),
  (U&'\FF55', 'u'), (U&'\FF56', 'v'), (U&'\FF57', 'w'), (U&'\FF58', 'x'), (U&'\FF59', 'y'), (U&'\FF5A', 'z'), (U&'\FF5B', '{'), (U&'\FF5D', '}'),
  (U&'\FF5E', '~');

-- A token folded to ASCII where the table has a form for its characters. Declared immutable as the
-- other analysis functions are: the table is this migration's, never written after.
CREATE FUNCTION vecgate_ascii_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT
RETURN CASE WHEN value ~ '^[\x01-\x7f]*$' THEN value ELSE (
  SELECT string_agg(coalesce(f.folded, c.ch), '' ORDER BY c.i)
  FROM regexp_split_to_table(value, '') WITH ORDINALITY AS c(ch, i)
  LEFT JOIN vecgate_ascii_folding f ON f.ch = c.ch)
END;

-- The tokens of a value (a string, or each string of an array) under an analyser with a tokenizer,
-- in order, with positions: 1, 2, ... over the tokens kept (a stop word leaves no gap: Qdrant's
-- phrases skip stop words on both sides), and one position skipped between two strings of an
-- array, so that no phrase spans them. Splitting: `whitespace` on Unicode White_Space; `word`,
-- `prefix` and `multilingual` on anything but letters and digits; `multilingual` also makes each
-- kana and Han character a token (no dictionary segments words here), always lowercases, and
-- keeps no token without a letter. A `prefix` document holds each word's prefixes from minLength
-- characters up to maxLength (the whole word unless it is longer; only stop words and minLength
-- drop words); a prefix `query` keeps stop words and cuts each word to maxLength.
-- Bounds, so that no value costs more than a tsvector can hold: a value's strings are read up to
-- 1,000,000 characters in all, and a token is cut to 255 characters (a prefix to as many).
CREATE FUNCTION vecgate_text_token_list(analyzer jsonb, value jsonb, query boolean)
RETURNS TABLE (token text, pos integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  WITH r AS (
    SELECT analyzer ->> 'tokenizer' AS tokenizer,
      analyzer ->> 'tokenizer' = 'multilingual' OR coalesce((analyzer ->> 'lowercase')::boolean, true) AS lowercase,
      coalesce((analyzer ->> 'asciiFolding')::boolean, false) AS fold,
      (analyzer ->> 'minLength')::int AS min_len,
      (analyzer ->> 'maxLength')::int AS max_len,
      CASE WHEN (analyzer ->> 'stemming')::boolean AND analyzer ->> 'language' IS NOT NULL
        THEN ('vecgate_' || (analyzer ->> 'language') || '_stem')::regdictionary END AS stemmer,
      analyzer ->> 'tokenizer' = 'prefix' AND NOT query AS prefixes,
      NOT (analyzer ->> 'tokenizer' = 'prefix' AND query) AS stop
  ),
  strings AS (
    SELECT (row_number() OVER (ORDER BY a.o))::int AS elem, a.e #>> '{}' AS body,
      coalesce(sum(length(a.e #>> '{}')) OVER (ORDER BY a.o ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM jsonb_array_elements(CASE jsonb_typeof(value) WHEN 'array' THEN value
      WHEN 'string' THEN jsonb_build_array(value) ELSE '[]'::jsonb END) WITH ORDINALITY AS a(e, o)
    WHERE jsonb_typeof(a.e) = 'string'
  ),
  pieces AS MATERIALIZED (
    SELECT s.elem, p.n, CASE WHEN r.fold THEN vecgate_ascii_fold(p.piece) ELSE p.piece END AS t
    FROM r, strings s,
      regexp_split_to_table(
        CASE WHEN r.tokenizer = 'multilingual'
          THEN regexp_replace(left(s.body, (1000000 - s.before)::int), '([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])', ' \1 ', 'g')
          ELSE left(s.body, (1000000 - s.before)::int) END,
        CASE WHEN r.tokenizer = 'whitespace'
          THEN '[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+'
          ELSE '[^[:alnum:]]+' END) WITH ORDINALITY AS p(piece, n)
    WHERE s.before < 1000000 AND p.piece <> ''
  ),
  kept AS MATERIALIZED (
    SELECT k.elem, k.n, CASE WHEN r.stemmer IS NULL THEN k.t ELSE (ts_lexize(r.stemmer, k.t))[1] END AS t
    FROM r, (SELECT pc.elem, pc.n, CASE WHEN r.lowercase THEN lower(pc.t) ELSE pc.t END AS t FROM pieces pc, r) k
    WHERE (r.tokenizer <> 'multilingual' OR k.t ~ '[[:alpha:]]')
      AND NOT (r.stop AND k.t IN (SELECT jsonb_array_elements_text(analyzer -> 'stopList')))
  ),
  sized AS MATERIALIZED (
    SELECT k.elem, k.n, k.t, least(char_length(k.t), coalesce(r.max_len, 255), 255) AS top
    FROM kept k, r
    WHERE k.t <> ''
      AND (r.min_len IS NULL OR char_length(k.t) >= r.min_len)
      AND (r.max_len IS NULL OR r.tokenizer = 'prefix' OR char_length(k.t) <= r.max_len)
  ),
  tokens AS (
    SELECT z.elem, z.n, z.top AS k, left(z.t, z.top) AS token FROM sized z, r WHERE NOT r.prefixes
    UNION ALL
    SELECT z.elem, z.n, g.k, left(z.t, g.k) FROM sized z, r,
      generate_series(greatest(coalesce(r.min_len, 1), 1), z.top) AS g(k)
    WHERE r.prefixes
  )
  SELECT token, (row_number() OVER (ORDER BY elem, n, k) + elem - 1)::int FROM tokens
$$;

-- A value's tokens as a tsvector: each distinct token with its first 256 positions (PostgreSQL's
-- bound), positions past 16,383 at 16,383, and the tokens past the first 1,000,000 bytes of them
-- (each its bytes and its positions', as a tsvector counts them: it holds 1 MiB) left out.
CREATE FUNCTION vecgate_text_token_vector(analyzer jsonb, value jsonb) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT coalesce(string_agg(vecgate_tsquery_quote(token) || ':' || positions, ' ' ORDER BY first), '')::tsvector
  FROM (
    SELECT token, positions, first, sum(octet_length(token) + 3 + 2 * least(n, 256)) OVER (ORDER BY first) AS bytes
    FROM (
      SELECT token, array_to_string((array_agg(least(pos, 16383) ORDER BY pos))[1:256], ',') AS positions,
        min(pos) AS first, count(*) AS n
      FROM vecgate_text_token_list(analyzer, value, false) GROUP BY token
    ) t
  ) b
  WHERE bytes <= 1000000
$$;

-- A metadata value analysed for the GIN index, by the analyser's tokenizer when it has one.
CREATE FUNCTION vecgate_text_vector(config regconfig, analyzer jsonb, value jsonb) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN analyzer ? 'tokenizer' THEN CASE WHEN vecgate_text_of(value) IS NOT NULL THEN vecgate_text_token_vector(analyzer, value) END
  ELSE to_tsvector(config, vecgate_text_tokens(analyzer, vecgate_text_of(value)))
END;
-- A query text's lexemes in order, with their positions, by the analyser's tokenizer when it has one
-- (as a query: a prefix query's words are cut, not expanded).
CREATE FUNCTION vecgate_text_query_lexemes(config regconfig, analyzer jsonb, value text)
RETURNS TABLE (lexeme text, pos integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT u.lexeme, p::integer
  FROM unnest(to_tsvector(config, vecgate_text_tokens(analyzer, value))) u, unnest(u.positions) p
  WHERE NOT analyzer ? 'tokenizer'
  UNION ALL
  SELECT l.token, l.pos FROM vecgate_text_token_list(analyzer, to_jsonb(value), true) l
  WHERE analyzer ? 'tokenizer'
  ORDER BY 2
$$;

-- A query text as a tsquery under a field's analyser: any of its words (`any`), all of them
-- (`all`), or all in order at the distances the text has them (`phrase`: a stop word between two
-- words leaves a gap of one; under a tokenizer a phrase is tokenized as a document is, Qdrant's
-- rule: a prefix phrase is the sequence of its words' prefixes, as the values hold them). A text
-- with no words left matches nothing: its query is a lexeme of one space, which no analysed text
-- holds (an empty query would match nothing too, with a notice).
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
        FROM (SELECT q.lexeme, q.pos FROM vecgate_text_query_lexemes(config, analyzer, value) q
              WHERE NOT (mode = 'phrase' AND analyzer ? 'tokenizer')
              UNION ALL
              SELECT d.token, d.pos FROM vecgate_text_token_list(analyzer, to_jsonb(value), false) d
              WHERE mode = 'phrase' AND analyzer ? 'tokenizer') l) q
$$;
