-- Follow-up metrics at scale (issue 19, decision FM2). Their recovery rate reads every detractor answer of the
-- range with its stored next answer: a scan of the range's answers and one seek of response_next each (0.25 s of
-- CPU for 246,000 detractors at 1,000,000 answers). response_next now holds the answer's survey, time and category
-- too (kept by api/Analytics/NextAnswers.cs), and a partial index over the detractors holds every column that read
-- needs, so it is one range scan of that index.
ALTER TABLE response_next ADD COLUMN survey_id TEXT;
ALTER TABLE response_next ADD COLUMN created_at INTEGER;
ALTER TABLE response_next ADD COLUMN category TEXT;

UPDATE response_next SET survey_id = r.survey_id, created_at = r.created_at, category = r.category
FROM responses r WHERE r.id = response_next.response_id;

CREATE INDEX response_next_detractors ON response_next
    (survey_id, created_at, survey_next_at, survey_next_category, kind_next_at, kind_next_category)
    WHERE category = 'detractor';
