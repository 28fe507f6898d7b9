-- Follow-up metrics at scale (issue 19, decision FM1), as on SQLite (0240_response_next.sql): per answer, the
-- time and category of the same user's next answer in the same survey and in every survey of the workspace of
-- the answer's survey's kind; kept by api/Analytics/NextAnswers.cs, filled here from the raw rows.

CREATE TABLE response_next (
    response_id          BIGINT PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
    survey_next_at       BIGINT,
    survey_next_category TEXT,
    kind_next_at         BIGINT,
    kind_next_category   TEXT
);

INSERT INTO response_next (response_id, survey_next_at, survey_next_category, kind_next_at, kind_next_category)
SELECT r.id,
       lead(r.created_at) OVER by_survey, lead(r.category) OVER by_survey,
       CASE WHEN s.kind IS NOT NULL THEN lead(r.created_at) OVER by_kind END,
       CASE WHEN s.kind IS NOT NULL THEN lead(r.category) OVER by_kind END
FROM responses r LEFT JOIN surveys s ON s.id = r.survey_id AND s.workspace_id = r.workspace_id
WINDOW by_survey AS (PARTITION BY r.workspace_id, r.user_id, r.survey_id ORDER BY r.created_at, r.id),
       by_kind AS (PARTITION BY r.workspace_id, r.user_id, s.kind ORDER BY r.created_at, r.id);
