-- Comment search on PostgreSQL (issue 20, decisions GB): `q` looks the folded comment up in a
-- trigram index (pg_trgm, a trusted extension since PostgreSQL 13, so the database's owner may
-- create it), with the pattern `%folded query%` (ResponseReadStore), and keeps the substring test,
-- so the answer is the scan's. The index is over pulse_fold(comment), the expression the query
-- writes; PostgreSQL keeps it with the row, so no hook or fill is needed (SQLite's 0171).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The fold must be .NET's ToUpperInvariant, which the query was folded with (and SQLite's index):
-- upper() maps each character by the database's ctype, as .NET does, except the dotless ı (U+0131),
-- which .NET's invariant casing keeps and upper() turns into I; so the text is upper-cased between
-- its ı and they are kept. Created before the index, which is over this function.
CREATE OR REPLACE FUNCTION pulse_fold(value TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN array_to_string(ARRAY(SELECT upper(p.part) FROM unnest(string_to_array(value, 'ı')) WITH ORDINALITY AS p(part, n) ORDER BY p.n), 'ı');

CREATE INDEX responses_comment_trigrams ON responses USING gin (pulse_fold(comment) gin_trgm_ops);
