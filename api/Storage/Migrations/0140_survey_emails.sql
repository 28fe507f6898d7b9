-- Email surveys (issue 18). A user who unsubscribed from survey emails (the one-click link of any
-- survey email): no more survey emails from this workspace, on demand or as a fallback; in-app
-- surveys are unaffected. The row goes with the user (erasure deletes end_users, ON DELETE CASCADE).
CREATE TABLE email_unsubscribes (
    workspace_id    TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    unsubscribed_at INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id),
    FOREIGN KEY (workspace_id, user_id) REFERENCES end_users (workspace_id, user_id) ON DELETE CASCADE
) WITHOUT ROWID;

-- The email fallback of a survey: days after an ignored in-app display (no answer, no decline) to
-- send the survey by email, once per cycle. NULL: off (the default).
ALTER TABLE surveys ADD COLUMN email_fallback_days INTEGER;
