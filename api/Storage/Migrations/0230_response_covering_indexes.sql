-- Covering indexes for the follow-up metrics (issue 19, decision RL2). Their detractor read scans the range's
-- answers of the surveys read and, for each detractor, seeks the same user's next answer. The two indexes it uses
-- gain the columns it reads, in the same order as before (the old ones are their prefixes, so every plan that
-- used them keeps its order): the range scan then reads only responses_survey_time, and the seek only
-- responses_user_time, instead of one table row each. responses_survey_time gains id right after created_at,
-- which SQLite had implicitly (the rowid) and which the list's order (created_at, id) needs.
DROP INDEX responses_survey_time;
CREATE INDEX responses_survey_time ON responses (survey_id, created_at, id, category, user_id);
DROP INDEX responses_user_time;
CREATE INDEX responses_user_time ON responses (workspace_id, user_id, created_at, id, survey_id, category);
