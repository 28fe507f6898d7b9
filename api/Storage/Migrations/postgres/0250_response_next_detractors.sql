-- Follow-up metrics at scale (issue 19, decision FM2), as on SQLite (0250_response_next_detractors.sql): each
-- response_next row holds its answer's survey, time and category, and a partial index over the detractors holds
-- every column the recovery rate reads.
ALTER TABLE response_next ADD COLUMN survey_id TEXT;
ALTER TABLE response_next ADD COLUMN created_at BIGINT;
ALTER TABLE response_next ADD COLUMN category TEXT;

UPDATE response_next n SET survey_id = r.survey_id, created_at = r.created_at, category = r.category
FROM responses r WHERE r.id = n.response_id;

CREATE INDEX response_next_detractors ON response_next
    (survey_id, created_at, survey_next_at, survey_next_category, kind_next_at, kind_next_category)
    WHERE category = 'detractor';
