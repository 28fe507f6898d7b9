-- Webhook subscriptions, the outbox of events and one delivery per (event, subscription).
-- Times are UTC Unix milliseconds.

CREATE TABLE webhooks (
    id                         TEXT    PRIMARY KEY,              -- wh_…
    workspace_id               TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    url                        TEXT    NOT NULL,
    events                     TEXT    NOT NULL,                 -- JSON array of event types
    categories                 TEXT,                             -- JSON array; null: every category
    survey_id                  TEXT,                             -- null: every survey
    format                     TEXT    NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),
    -- Stored as issued: signing needs the secret itself (docs/decisions.md, "Webhook secrets at rest").
    secret                     TEXT    NOT NULL,
    previous_secret            TEXT,                             -- still signed with until previous_expires_at
    previous_expires_at        INTEGER,
    dashboard_base             TEXT    NOT NULL,                 -- origin the Slack format links to
    created_at                 INTEGER NOT NULL,
    updated_at                 INTEGER NOT NULL
);
CREATE INDEX webhooks_workspace ON webhooks (workspace_id, created_at);

CREATE TABLE webhook_events (
    id           TEXT    PRIMARY KEY,                            -- evt_…; sent as webhook-id
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    type         TEXT    NOT NULL,
    user_id      TEXT,                                           -- whose data the payload holds (erasure)
    payload      TEXT    NOT NULL,                               -- the JSON body, exactly as signed and sent
    created_at   INTEGER NOT NULL
);
CREATE INDEX webhook_events_user ON webhook_events (workspace_id, user_id);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
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
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
