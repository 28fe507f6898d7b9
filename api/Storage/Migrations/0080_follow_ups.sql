-- Follow-ups (issue 16): a response can carry one follow-up — status, outcome, assignee (a member
-- of the workspace), due date — and a thread of internal notes. Times are UTC Unix milliseconds.

CREATE TABLE follow_ups (
    id           TEXT    PRIMARY KEY,                     -- fu_…
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    response_id  INTEGER NOT NULL UNIQUE REFERENCES responses (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
    outcome      TEXT    CHECK (outcome IN ('resolved', 'no_reply', 'churned')),
    assignee_id  TEXT    REFERENCES members (id) ON DELETE SET NULL,
    due_at       INTEGER,
    version      INTEGER NOT NULL,                        -- the ETag: +1 on every change of the fields above
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    closed_at    INTEGER
);
CREATE INDEX follow_ups_due ON follow_ups (workspace_id, status, due_at);
CREATE INDEX follow_ups_assignee ON follow_ups (workspace_id, assignee_id, status);

-- The thread: appended, never edited, so concurrent notes cannot overwrite each other.
CREATE TABLE follow_up_notes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    follow_up_id TEXT    NOT NULL REFERENCES follow_ups (id) ON DELETE CASCADE,
    author_type  TEXT    NOT NULL,                        -- member, key
    author_id    TEXT,
    author_label TEXT,                                    -- the member's email, the key's hint
    text         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX follow_up_notes_follow_up ON follow_up_notes (follow_up_id, id);

-- Which answers open a follow-up by themselves, and when it is due. No row: detractors, 1 business day.
CREATE TABLE follow_up_settings (
    workspace_id      TEXT    PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    open_categories   TEXT    NOT NULL DEFAULT '["detractor"]',   -- JSON array of categories
    due_business_days INTEGER NOT NULL DEFAULT 1,
    updated_at        INTEGER NOT NULL
);
