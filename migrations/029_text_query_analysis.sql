-- A search's query texts analysed, each under its field's analyser, in one call: the lexemes of
-- every (config, analyser, text) with the text's ordinal and each lexeme's position. The same
-- statement sent directly is planned for every call (search connections plan per call), and its
-- planning inlines vecgate_text_query_lexemes with both tokenizer branches: 1.3-1.6 ms of a
-- 1.6 ms statement. PL/pgSQL keeps its statement's plan for the session, and the plan does not
-- depend on the texts, so it is made generic once (measured: 0.36 ms a call).
CREATE FUNCTION vecgate_text_query_analysis(configs regconfig[], analyzers jsonb[], texts text[])
RETURNS TABLE (i bigint, lexeme text, pos integer)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
  RETURN QUERY
    SELECT q.i, l.lexeme, l.pos
    FROM unnest(configs, analyzers, texts) WITH ORDINALITY AS q(config, analyzer, value, i)
    CROSS JOIN LATERAL vecgate_text_query_lexemes(q.config, q.analyzer, q.value) l
    ORDER BY q.i, l.pos;
END
$$;
