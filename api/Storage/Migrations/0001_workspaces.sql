-- Workspaces (one per vendor), their secret keys and their surveys.
-- Times are UTC Unix milliseconds.

CREATE TABLE workspaces (
    id                TEXT    PRIMARY KEY,
    name              TEXT    NOT NULL,
    product_name      TEXT    NOT NULL,
    site_key          TEXT    NOT NULL UNIQUE,
    identity_secret   TEXT    NOT NULL,
    allowed_origins   TEXT    NOT NULL DEFAULT '[]',   -- JSON array of origin patterns
    require_user_hash INTEGER NOT NULL DEFAULT 1,
    fatigue_days      INTEGER NOT NULL DEFAULT 7,
    test_mode         INTEGER NOT NULL DEFAULT 0,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE secret_keys (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key_hash     BLOB    NOT NULL UNIQUE,                -- SHA-256 of the key; the key itself is never stored
    hint         TEXT    NOT NULL,                       -- 'sk_…' plus the last four characters, for humans
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX secret_keys_workspace ON secret_keys (workspace_id);

CREATE TABLE surveys (
    id                         TEXT    PRIMARY KEY,
    workspace_id               TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name                       TEXT    NOT NULL,
    kind                       TEXT    NOT NULL DEFAULT 'nps',
    active                     INTEGER NOT NULL DEFAULT 1,
    priority                   INTEGER NOT NULL DEFAULT 0,
    trigger                    TEXT,                     -- null: any page view; else an event name
    first_survey_delay_days    INTEGER NOT NULL DEFAULT 30,
    resurvey_days              INTEGER NOT NULL DEFAULT 90,
    decline_cooldown_days      INTEGER NOT NULL DEFAULT 30,
    reshow_after_ignored_days  INTEGER NOT NULL DEFAULT 1,
    sample_percent             REAL    NOT NULL DEFAULT 100,
    daily_cap                  INTEGER,
    targeting                  TEXT    NOT NULL DEFAULT '[]',   -- JSON array of conditions
    exclude_email_domains      TEXT    NOT NULL DEFAULT '[]',   -- JSON array of domains
    texts                      TEXT    NOT NULL DEFAULT '{}',   -- JSON: locale -> string overrides
    theme                      TEXT    NOT NULL DEFAULT '{}',   -- JSON: { color, position }
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL,
    deleted_at                 INTEGER                   -- soft delete keeps the answers it collected
);
CREATE INDEX surveys_workspace ON surveys (workspace_id, priority);
