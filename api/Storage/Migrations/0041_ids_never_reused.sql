-- pulse:foreign-keys-off
-- Ids that leave the process are never given out twice. `INTEGER PRIMARY KEY` alone reuses the
-- largest id after that row is deleted (erasure deletes a user's displays and responses), so the
-- next answer could carry an erased answer's id in webhooks and exports. AUTOINCREMENT keeps the
-- highest id ever used in sqlite_sequence. SQLite cannot add it to an existing table, so each
-- table is rebuilt (copied with its ids, dropped, renamed) with foreign keys off; the migrator
-- runs PRAGMA foreign_key_check before committing. Ids erased before this migration that were
-- above every remaining id cannot be known and may be used once more.

CREATE TABLE displays_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id TEXT    NOT NULL,
    survey_id    TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    user_id      TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,            -- SHA-256 of the display token handed to the client
    shown_at     INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,                   -- the token is refused after this
    answered_at  INTEGER,                            -- first response
    declined_at  INTEGER,
    email        TEXT,                               -- snapshot at display time
    traits       TEXT    NOT NULL DEFAULT '{}',      -- trait snapshot at display time (segments use it)
    locale       TEXT,
    url          TEXT,
    FOREIGN KEY (workspace_id, user_id) REFERENCES end_users (workspace_id, user_id) ON DELETE CASCADE
);
INSERT INTO displays_new (id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, answered_at, declined_at,
                          email, traits, locale, url)
SELECT id, workspace_id, survey_id, user_id, token_hash, shown_at, expires_at, answered_at, declined_at, email, traits, locale, url
FROM displays;
DROP TABLE displays;
ALTER TABLE displays_new RENAME TO displays;
CREATE INDEX displays_user ON displays (workspace_id, user_id, shown_at);
CREATE INDEX displays_survey_time ON displays (survey_id, shown_at);

CREATE TABLE responses_new (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    display_id   INTEGER NOT NULL UNIQUE REFERENCES displays (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL,
    survey_id    TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    category     TEXT    NOT NULL CHECK (category IN ('promoter', 'passive', 'detractor')),
    comment      TEXT,
    follow_up    TEXT,                               -- JSON object of follow-up answers, when any
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
INSERT INTO responses_new (id, display_id, workspace_id, survey_id, user_id, score, category, comment, follow_up, created_at, updated_at)
SELECT id, display_id, workspace_id, survey_id, user_id, score, category, comment, follow_up, created_at, updated_at
FROM responses;
DROP TABLE responses;
ALTER TABLE responses_new RENAME TO responses;
CREATE INDEX responses_workspace_time ON responses (workspace_id, created_at, id);
CREATE INDEX responses_survey_time ON responses (survey_id, created_at);
CREATE INDEX responses_user ON responses (workspace_id, user_id);

CREATE TABLE webhook_deliveries_new (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id      TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,                                     -- null unless pending
    last_attempt_at INTEGER,
    last_status     INTEGER,                                     -- HTTP status of the last attempt, when one came back
    last_error      TEXT,
    delivered_at    INTEGER,
    created_at      INTEGER NOT NULL
);
INSERT INTO webhook_deliveries_new (id, webhook_id, event_id, status, attempts, next_attempt_at, last_attempt_at, last_status,
                                    last_error, delivered_at, created_at)
SELECT id, webhook_id, event_id, status, attempts, next_attempt_at, last_attempt_at, last_status, last_error, delivered_at, created_at
FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
