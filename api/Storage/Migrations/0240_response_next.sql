-- Follow-up metrics at scale (issue 19, decision FM1): each answer's next answer stored, not searched.
-- response_next holds, per answer, the time and category of the same user's next answer in the order
-- (created_at, id), in two scopes: the same survey (survey_next_*), and every survey of the workspace of the
-- same kind as the answer's (kind_next_*, the set SurveyStore.Ids gives a report without surveyId; null when
-- the answer's survey is not the workspace's). Null: no next answer in that scope. Kept by
-- api/Analytics/NextAnswers.cs in the writer's transaction; filled here from the raw rows (the same SQL as
-- NextAnswers.Rebuild). GET /v1/metrics/follow-ups reads one row per detractor by its key instead of two
-- correlated seeks of responses_user_time.

CREATE TABLE response_next (
    response_id          INTEGER PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
    survey_next_at       INTEGER,            -- the same user's next answer in the same survey (Unix ms), or null
    survey_next_category TEXT,
    kind_next_at         INTEGER,            -- … in any survey of the workspace of the answer's survey's kind, or null
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
