-- Survey emails name their end user (issue 18), so an erasure deletes every message to them (the
-- address is personal data, even in the delivery log) and an opt-out or an unsubscribe withdraws
-- the survey emails still pending. NULL for email to members.
ALTER TABLE email_outbox ADD COLUMN user_id TEXT;
CREATE INDEX email_outbox_user ON email_outbox (workspace_id, user_id) WHERE user_id IS NOT NULL;

-- Survey emails queued before this migration: their dedupe key names the display.
UPDATE email_outbox SET user_id = (
    SELECT d.user_id FROM displays d
    WHERE d.workspace_id = email_outbox.workspace_id
      AND email_outbox.dedupe_key IN ('survey:' || d.id, 'fallback:' || d.id))
WHERE kind = 'survey';
