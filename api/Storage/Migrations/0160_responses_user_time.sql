-- A user's answers in time order (issue 19). The follow-up metrics find, for every detractor answer
-- of the range, the same user's next answer; with only (workspace_id, user_id) indexed SQLite chose
-- responses_survey_time for that correlated lookup and read every answer of the survey per
-- detractor (minutes at 50,000 answers). This index answers it with one seek, and also serves the
-- response page's "same user's answers, oldest first"; it replaces responses_user, its prefix.
CREATE INDEX responses_user_time ON responses (workspace_id, user_id, created_at, id);
DROP INDEX responses_user;
