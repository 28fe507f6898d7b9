-- End users of a vendor's product, the surveys shown to them (displays) and their answers.

CREATE TABLE end_users (
    workspace_id  TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       TEXT    NOT NULL,                 -- the vendor's id for the user
    email         TEXT,
    signed_up_at  INTEGER,                          -- the vendor's createdAt
    first_seen_at INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    traits        TEXT    NOT NULL DEFAULT '{}',    -- JSON object, latest values
    opted_out_at  INTEGER,
    PRIMARY KEY (workspace_id, user_id)
) WITHOUT ROWID;

CREATE TABLE displays (
    id           INTEGER PRIMARY KEY,
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
CREATE INDEX displays_user ON displays (workspace_id, user_id, shown_at);
CREATE INDEX displays_survey_time ON displays (survey_id, shown_at);

CREATE TABLE responses (
    id           INTEGER PRIMARY KEY,
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
CREATE INDEX responses_workspace_time ON responses (workspace_id, created_at, id);
CREATE INDEX responses_survey_time ON responses (survey_id, created_at);
CREATE INDEX responses_user ON responses (workspace_id, user_id);
