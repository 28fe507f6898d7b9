-- Comment search (issue 19, decision P5). SQLite indexes the folded comments in an FTS5 table; the
-- PostgreSQL provider scans for now (decisions G6) and keeps only the state row, so the two ledgers
-- and the non-search schema stay the same. Its own index (pg_trgm) comes with the port of q.
CREATE TABLE comment_search_state (
    id     BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    filled BIGINT NOT NULL
);
INSERT INTO comment_search_state (id, filled) VALUES (1, 0);
