-- Closing the loop (issue 16): alerts routed by trait, one alert per answer, follow-up events, and
-- the times the follow-up metrics need. Times are UTC Unix milliseconds.

-- The first note or status change of a follow-up (time to first touch). Earlier rows: their first
-- note, else their last change when they have left 'open' (the best the data tells).
ALTER TABLE follow_ups ADD COLUMN first_touched_at INTEGER;
UPDATE follow_ups SET first_touched_at = COALESCE(
    (SELECT MIN(n.created_at) FROM follow_up_notes n WHERE n.follow_up_id = follow_ups.id),
    CASE WHEN status <> 'open' THEN updated_at END);

-- When follow_up.overdue was raised for the current due date (null: not yet). Set in the same
-- transaction as the event, so it is raised once, also across restarts; a new due date clears it.
-- Follow-ups already overdue when this runs are not announced late.
ALTER TABLE follow_ups ADD COLUMN overdue_sent_at INTEGER;
UPDATE follow_ups SET overdue_sent_at = due_at
WHERE status <> 'closed' AND due_at IS NOT NULL AND due_at < CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
CREATE INDEX follow_ups_overdue ON follow_ups (due_at) WHERE overdue_sent_at IS NULL AND status <> 'closed';

-- A subscription's trait filter: JSON object { trait: value } as in analytics' where[trait]=value; null: every account.
ALTER TABLE webhooks ADD COLUMN trait_filter TEXT;

-- The response a response.created event is about, so an edit within Webhooks:MergeWindow can fold
-- into it while none of its deliveries has been attempted.
ALTER TABLE webhook_events ADD COLUMN response_id INTEGER;
CREATE INDEX webhook_events_response ON webhook_events (response_id) WHERE response_id IS NOT NULL;
