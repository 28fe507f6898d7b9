-- pulse:foreign-keys-off
-- Question kinds (issue 17): a response's category is its kind's — detractor, passive, promoter
-- (nps, enps); dissatisfied, neutral, satisfied (csat); difficult, neutral, easy (ces). SQLite
-- cannot change a CHECK, so responses is rebuilt as in 0041 (copied with its ids, dropped,
-- renamed; foreign keys off and checked before commit), keeping the highest id ever used.

CREATE TABLE responses_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    display_id   INTEGER NOT NULL UNIQUE REFERENCES displays (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL,
    survey_id    TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    category     TEXT    NOT NULL CHECK (category IN ('promoter', 'passive', 'detractor', 'satisfied', 'neutral', 'dissatisfied',
                                                       'easy', 'difficult')),
    comment      TEXT,
    follow_up    TEXT,                               -- JSON object of follow-up answers, when any
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
INSERT INTO responses_new (id, display_id, workspace_id, survey_id, user_id, score, category, comment, follow_up, created_at, updated_at)
SELECT id, display_id, workspace_id, survey_id, user_id, score, category, comment, follow_up, created_at, updated_at
FROM responses;
-- Ids are never reused: the new table continues from the highest id the old one ever gave.
DELETE FROM sqlite_sequence WHERE name = 'responses_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'responses_new', seq FROM sqlite_sequence WHERE name = 'responses';
DROP TABLE responses;
ALTER TABLE responses_new RENAME TO responses;
CREATE INDEX responses_workspace_time ON responses (workspace_id, created_at, id);
CREATE INDEX responses_survey_time ON responses (survey_id, created_at);
CREATE INDEX responses_user ON responses (workspace_id, user_id);
