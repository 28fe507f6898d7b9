-- Comment search (issue 19, decision P5): an FTS5 index of each response's comment, folded as
-- `q` folds it (api/Analytics/CommentSearch.cs: ResponseReadStore.Fold), rowid = responses.id,
-- tokenised in trigrams without further folding, so a phrase match is exactly "the folded comment
-- contains the folded query". Kept by CommentSearch (a response hook) in the writer's transaction;
-- the comments written before this migration are indexed at start-up (comment_search_state).
CREATE VIRTUAL TABLE comment_search USING fts5(text, tokenize = 'trigram case_sensitive 1');

CREATE TABLE comment_search_state (
    id     INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    filled INTEGER NOT NULL
);
INSERT INTO comment_search_state (id, filled) VALUES (1, 0);
