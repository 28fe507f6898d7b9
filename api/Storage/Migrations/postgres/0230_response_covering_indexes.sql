-- Covering indexes for the follow-up metrics (issue 19, decision RL2), as on SQLite (0230_response_covering_indexes.sql):
-- the detractor read scans the range's answers of the surveys read and seeks each detractor's next answer by user and
-- time; both indexes gain the columns it reads, after their old columns (the old ones are their prefixes), so the scan
-- and the seek can be index-only scans.
DROP INDEX responses_survey_time;
CREATE INDEX responses_survey_time ON responses (survey_id, created_at, id, category, user_id);
DROP INDEX responses_user_time;
CREATE INDEX responses_user_time ON responses (workspace_id, user_id, created_at, id, survey_id, category);
