-- Assignment rules (issue 16): when a follow-up opens, the first rule whose trait conditions hold
-- on the display's snapshot names its assignee; otherwise the fallback assignee (or nobody).
-- JSON array of { "when": [conditions as in survey targeting], "assignee": "mem_…" }.
ALTER TABLE follow_up_settings ADD COLUMN assignment_rules TEXT NOT NULL DEFAULT '[]';
ALTER TABLE follow_up_settings ADD COLUMN fallback_assignee_id TEXT REFERENCES members (id) ON DELETE SET NULL;
