-- Email to the team (issue 18): the outbox of messages and each member's email preferences per
-- workspace. Times are UTC Unix milliseconds.

-- One row per message. Written in the same transaction as what caused it (an invitation, a reset
-- link, an assigned follow-up, a digest), sent by the dispatcher. The state machine:
-- pending → sending → sent; sending → pending again after a failed attempt (backoff) or failed
-- after the last one; a row found in 'sending' at start-up (the process died mid-send) becomes
-- 'uncertain' and is not sent again by itself (never twice). The bodies are cleared once sent.
CREATE TABLE email_outbox (
    id              INTEGER PRIMARY KEY,
    workspace_id    TEXT    REFERENCES workspaces (id) ON DELETE CASCADE,
    message_id      TEXT    NOT NULL UNIQUE,                 -- the Message-ID header, fixed when queued
    kind            TEXT    NOT NULL,                        -- invitation, password_reset, follow_up_assigned, digest, …
    dedupe_key      TEXT    UNIQUE,                          -- e.g. one digest per member and period
    member_id       TEXT,                                    -- the member it goes to, when it goes to one
    recipient       TEXT    NOT NULL,                        -- the To address
    locale          TEXT    NOT NULL DEFAULT 'en',
    subject         TEXT    NOT NULL,
    html            TEXT,                                    -- NULL once sent
    text            TEXT,                                    -- NULL once sent
    headers         TEXT    NOT NULL DEFAULT '{}',           -- JSON object of extra headers (List-Unsubscribe, …)
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'uncertain')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,                                 -- when pending
    last_attempt_at INTEGER,
    last_error      TEXT,
    sent_at         INTEGER,
    created_at      INTEGER NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_workspace ON email_outbox (workspace_id, id);

-- What a member wants by email in one workspace. No row: the defaults (follow-up emails on,
-- weekly digest on Monday at 08:00 UTC).
CREATE TABLE email_preferences (
    workspace_id      TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    member_id         TEXT    NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    follow_up_emails  INTEGER NOT NULL DEFAULT 1,
    digest            TEXT    NOT NULL DEFAULT 'weekly' CHECK (digest IN ('off', 'daily', 'weekly')),
    digest_day        INTEGER NOT NULL DEFAULT 1 CHECK (digest_day BETWEEN 0 AND 6),   -- 0 Sunday … 6 Saturday
    digest_hour       INTEGER NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    time_zone         TEXT    NOT NULL DEFAULT 'UTC',        -- IANA
    last_digest_slot  INTEGER,                               -- the scheduled time of the last digest queued
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, member_id)
);
