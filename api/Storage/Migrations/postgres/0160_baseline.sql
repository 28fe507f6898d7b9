-- The PostgreSQL schema equal to the SQLite schema at migration 0160 (docs/decisions.md, G3):
-- the same tables, columns and index names; INTEGER is BIGINT (SQLite's integers are 64-bit, times are
-- unix milliseconds), REAL is DOUBLE PRECISION, BLOB is BYTEA, JSON stays TEXT; row ids are identities,
-- whose sequences never hand a number out twice (SQLite's AUTOINCREMENT). The migrator records every
-- SQLite version up to 0160 in schema_migrations when it applies this file.

-- Tags compare without case, as SQLite's COLLATE NOCASE.
CREATE COLLATION IF NOT EXISTS nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

CREATE TABLE workspaces (
    id                TEXT    PRIMARY KEY,
    name              TEXT    NOT NULL,
    product_name      TEXT    NOT NULL,
    site_key          TEXT    NOT NULL UNIQUE,
    identity_secret   TEXT    NOT NULL,
    allowed_origins   TEXT    NOT NULL DEFAULT '[]',   -- JSON array of origin patterns
    require_user_hash BIGINT NOT NULL DEFAULT 1,
    fatigue_days      BIGINT NOT NULL DEFAULT 7,
    test_mode         BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
, previous_identity_secret TEXT, previous_identity_secret_expires_at BIGINT, nps_target DOUBLE PRECISION, viewers_may_export BIGINT NOT NULL DEFAULT 0);
CREATE TABLE secret_keys (
    id           TEXT    PRIMARY KEY,
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    key_hash     BYTEA    NOT NULL UNIQUE,                -- SHA-256 of the key; the key itself is never stored
    hint         TEXT    NOT NULL,                       -- 'sk_…' plus the last four characters, for humans
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
, name TEXT, last_used_at BIGINT, scope TEXT NOT NULL DEFAULT 'full' CHECK (scope IN ('full', 'read')));
CREATE INDEX secret_keys_workspace ON secret_keys (workspace_id);
CREATE TABLE surveys (
    id                         TEXT    PRIMARY KEY,
    workspace_id               TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name                       TEXT    NOT NULL,
    kind                       TEXT    NOT NULL DEFAULT 'nps',
    active                     BIGINT NOT NULL DEFAULT 1,
    priority                   BIGINT NOT NULL DEFAULT 0,
    trigger                    TEXT,                     -- null: any page view; else an event name
    first_survey_delay_days    BIGINT NOT NULL DEFAULT 30,
    resurvey_days              BIGINT NOT NULL DEFAULT 90,
    decline_cooldown_days      BIGINT NOT NULL DEFAULT 30,
    reshow_after_ignored_days  BIGINT NOT NULL DEFAULT 1,
    sample_percent             DOUBLE PRECISION    NOT NULL DEFAULT 100,
    daily_cap                  BIGINT,
    targeting                  TEXT    NOT NULL DEFAULT '[]',   -- JSON array of conditions
    exclude_email_domains      TEXT    NOT NULL DEFAULT '[]',   -- JSON array of domains
    texts                      TEXT    NOT NULL DEFAULT '{}',   -- JSON: locale -> string overrides
    theme                      TEXT    NOT NULL DEFAULT '{}',   -- JSON: { color, position }
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL,
    deleted_at                 BIGINT                   -- soft delete keeps the answers it collected
, variants TEXT NOT NULL DEFAULT '[]', reasons TEXT, email_fallback_days BIGINT);
CREATE INDEX surveys_workspace ON surveys (workspace_id, priority);
CREATE TABLE end_users (
    workspace_id  TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       TEXT    NOT NULL,                 -- the vendor's id for the user
    email         TEXT,
    signed_up_at  BIGINT,                          -- the vendor's createdAt
    first_seen_at BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    traits        TEXT    NOT NULL DEFAULT '{}',    -- JSON object, latest values
    opted_out_at  BIGINT,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE TABLE nps_daily (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    trait_key   TEXT    NOT NULL,
    day         BIGINT NOT NULL,                  -- UTC days since 1970-01-01
    trait_value TEXT    NOT NULL,
    displays    BIGINT NOT NULL DEFAULT 0,
    promoters   BIGINT NOT NULL DEFAULT 0,
    passives    BIGINT NOT NULL DEFAULT 0,
    detractors  BIGINT NOT NULL DEFAULT 0, score_sum BIGINT NOT NULL DEFAULT 0, score_squares BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, trait_key, day, trait_value)
);
CREATE INDEX nps_daily_value ON nps_daily (survey_id, trait_key, trait_value, day);
CREATE TABLE nps_hourly (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    hour        BIGINT NOT NULL,                  -- UTC hours since 1970-01-01T00:00Z
    displays    BIGINT NOT NULL DEFAULT 0,
    promoters   BIGINT NOT NULL DEFAULT 0,
    passives    BIGINT NOT NULL DEFAULT 0,
    detractors  BIGINT NOT NULL DEFAULT 0, score_sum BIGINT NOT NULL DEFAULT 0, score_squares BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, hour)
);
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
    previous_expires_at        BIGINT,
    dashboard_base             TEXT    NOT NULL,                 -- origin the Slack format links to
    created_at                 BIGINT NOT NULL,
    updated_at                 BIGINT NOT NULL
, trait_filter TEXT);
CREATE INDEX webhooks_workspace ON webhooks (workspace_id, created_at);
CREATE TABLE webhook_events (
    id           TEXT    PRIMARY KEY,                            -- evt_…; sent as webhook-id
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    type         TEXT    NOT NULL,
    user_id      TEXT,                                           -- whose data the payload holds (erasure)
    payload      TEXT    NOT NULL,                               -- the JSON body, exactly as signed and sent
    created_at   BIGINT NOT NULL
, response_id BIGINT);
CREATE INDEX webhook_events_user ON webhook_events (workspace_id, user_id);
CREATE TABLE storage_probe (
    id  BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    pad BYTEA    NOT NULL
);
CREATE TABLE displays (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    survey_id    TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    user_id      TEXT    NOT NULL,
    token_hash   BYTEA    NOT NULL UNIQUE,            -- SHA-256 of the display token handed to the client
    shown_at     BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,                   -- the token is refused after this
    answered_at  BIGINT,                            -- first response
    declined_at  BIGINT,
    email        TEXT,                               -- snapshot at display time
    traits       TEXT    NOT NULL DEFAULT '{}',      -- trait snapshot at display time (segments use it)
    locale       TEXT,
    url          TEXT, variant TEXT, channel TEXT NOT NULL DEFAULT 'in_app',
    FOREIGN KEY (workspace_id, user_id) REFERENCES end_users (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX displays_user ON displays (workspace_id, user_id, shown_at);
CREATE INDEX displays_survey_time ON displays (survey_id, shown_at);
CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    webhook_id      TEXT    NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,                                     -- null unless pending
    last_attempt_at BIGINT,
    last_status     BIGINT,                                     -- HTTP status of the last attempt, when one came back
    last_error      TEXT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE TABLE members (
    id            TEXT    PRIMARY KEY,                    -- mem_…
    email         TEXT    NOT NULL UNIQUE,                -- lower case, trimmed
    name          TEXT,
    password_hash TEXT,                                   -- ASP.NET Core PasswordHasher (PBKDF2); NULL until a link is accepted
    created_at    BIGINT NOT NULL
);
CREATE TABLE workspace_members (
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    member_id    TEXT    NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, member_id)
);
CREATE INDEX workspace_members_member ON workspace_members (member_id);
CREATE TABLE invitations (
    id           TEXT    PRIMARY KEY,                     -- inv_…
    token_hash   BYTEA    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL CHECK (kind IN ('invite', 'reset')),
    member_id    TEXT    NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    workspace_id TEXT    REFERENCES workspaces (id) ON DELETE CASCADE,
    role         TEXT    CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX invitations_workspace ON invitations (workspace_id);
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,                     -- ses_…
    token_hash   BYTEA    NOT NULL UNIQUE,
    member_id    TEXT    NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL,                        -- the workspace the member is looking at
    csrf_token   TEXT    NOT NULL,                        -- sent back in X-Pulse-CSRF on every write
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_member ON sessions (member_id);
CREATE TABLE audit_log (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at           BIGINT NOT NULL,
    workspace_id TEXT,                                    -- NULL for sign-ins: they belong to the member
    actor_type   TEXT    NOT NULL CHECK (actor_type IN ('member', 'key', 'cli', 'anonymous')),
    actor_id     TEXT,                                    -- member id or key id
    actor_label  TEXT,                                    -- the member's email, the key's hint
    action       TEXT    NOT NULL,                        -- e.g. survey.updated
    target       TEXT,                                    -- the id of what changed
    address      TEXT,                                    -- the client's IP address
    before       TEXT,                                    -- JSON, secrets removed
    after        TEXT,
    end_user_id  TEXT                                     -- the end user the entry is about (erasure clears)
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
CREATE INDEX audit_log_action ON audit_log (action, at);
CREATE INDEX audit_log_end_user ON audit_log (workspace_id, end_user_id) WHERE end_user_id IS NOT NULL;
CREATE TABLE responses (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    display_id   BIGINT NOT NULL UNIQUE REFERENCES displays (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL,
    survey_id    TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    score        BIGINT NOT NULL CHECK (score BETWEEN 0 AND 10),
    category     TEXT    NOT NULL CHECK (category IN ('promoter', 'passive', 'detractor', 'satisfied', 'neutral', 'dissatisfied',
                                                       'easy', 'difficult')),
    comment      TEXT,
    follow_up    TEXT,                               -- JSON object of follow-up answers, when any
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE TABLE follow_ups (
    id           TEXT    PRIMARY KEY,                     -- fu_…
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    response_id  BIGINT NOT NULL UNIQUE REFERENCES responses (id) ON DELETE CASCADE,
    status       TEXT    NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
    outcome      TEXT    CHECK (outcome IN ('resolved', 'no_reply', 'churned')),
    assignee_id  TEXT    REFERENCES members (id) ON DELETE SET NULL,
    due_at       BIGINT,
    version      BIGINT NOT NULL,                        -- the ETag: +1 on every change of the fields above
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    closed_at    BIGINT
, first_touched_at BIGINT, overdue_sent_at BIGINT);
CREATE INDEX follow_ups_due ON follow_ups (workspace_id, status, due_at);
CREATE INDEX follow_ups_assignee ON follow_ups (workspace_id, assignee_id, status);
CREATE TABLE follow_up_notes (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    follow_up_id TEXT    NOT NULL REFERENCES follow_ups (id) ON DELETE CASCADE,
    author_type  TEXT    NOT NULL,                        -- member, key
    author_id    TEXT,
    author_label TEXT,                                    -- the member's email, the key's hint
    text         TEXT    NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX follow_up_notes_follow_up ON follow_up_notes (follow_up_id, id);
CREATE TABLE follow_up_settings (
    workspace_id      TEXT    PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    open_categories   TEXT    NOT NULL DEFAULT '["detractor"]',   -- JSON array of categories
    due_business_days BIGINT NOT NULL DEFAULT 1,
    updated_at        BIGINT NOT NULL
, assignment_rules TEXT NOT NULL DEFAULT '[]', fallback_assignee_id TEXT REFERENCES members (id) ON DELETE SET NULL, sla_hours BIGINT NOT NULL DEFAULT 48, account_health TEXT NOT NULL DEFAULT '{}');
CREATE TABLE tags (
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL COLLATE nocase,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, name)
);
CREATE TABLE response_tags (
    response_id  BIGINT NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL,
    tag          TEXT    NOT NULL COLLATE nocase,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (response_id, tag),
    FOREIGN KEY (workspace_id, tag) REFERENCES tags (workspace_id, name) ON DELETE CASCADE
);
CREATE INDEX response_tags_tag ON response_tags (workspace_id, tag, response_id);
CREATE INDEX follow_ups_overdue ON follow_ups (due_at) WHERE overdue_sent_at IS NULL AND status <> 'closed';
CREATE INDEX webhook_events_response ON webhook_events (response_id) WHERE response_id IS NOT NULL;
CREATE INDEX responses_workspace_time ON responses (workspace_id, created_at, id);
CREATE INDEX responses_survey_time ON responses (survey_id, created_at);
CREATE TABLE response_reasons (
    response_id BIGINT NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    reason_id   TEXT NOT NULL,
    other_text  TEXT,
    PRIMARY KEY (response_id, reason_id)
);
CREATE TABLE email_outbox (
    id              BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
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
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,                                 -- when pending
    last_attempt_at BIGINT,
    last_error      TEXT,
    sent_at         BIGINT,
    created_at      BIGINT NOT NULL
, user_id TEXT);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);
CREATE INDEX email_outbox_workspace ON email_outbox (workspace_id, id);
CREATE TABLE email_preferences (
    workspace_id      TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    member_id         TEXT    NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    follow_up_emails  BIGINT NOT NULL DEFAULT 1,
    digest            TEXT    NOT NULL DEFAULT 'weekly' CHECK (digest IN ('off', 'daily', 'weekly')),
    digest_day        BIGINT NOT NULL DEFAULT 1 CHECK (digest_day BETWEEN 0 AND 6),   -- 0 Sunday … 6 Saturday
    digest_hour       BIGINT NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
    time_zone         TEXT    NOT NULL DEFAULT 'UTC',        -- IANA
    last_digest_slot  BIGINT,                               -- the scheduled time of the last digest queued
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, member_id)
);
CREATE TABLE survey_links (
    id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    survey_id    TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    user_id      TEXT    NOT NULL,
    token_hash   BYTEA    NOT NULL UNIQUE,
    channel      TEXT    NOT NULL CHECK (channel IN ('link', 'email')),
    locale       TEXT,                               -- the locale asked for at creation (negotiated at opening)
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    display_id   BIGINT REFERENCES displays (id) ON DELETE SET NULL,
    FOREIGN KEY (workspace_id, user_id) REFERENCES end_users (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX survey_links_user ON survey_links (workspace_id, user_id);
CREATE TABLE email_unsubscribes (
    workspace_id    TEXT    NOT NULL,
    user_id         TEXT    NOT NULL,
    unsubscribed_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id),
    FOREIGN KEY (workspace_id, user_id) REFERENCES end_users (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX email_outbox_user ON email_outbox (workspace_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX responses_user_time ON responses (workspace_id, user_id, created_at, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_log is append-only';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.at IS DISTINCT FROM OLD.at OR NEW.workspace_id IS DISTINCT FROM OLD.workspace_id
       OR NEW.actor_type IS DISTINCT FROM OLD.actor_type OR NEW.actor_id IS DISTINCT FROM OLD.actor_id
       OR NEW.actor_label IS DISTINCT FROM OLD.actor_label
       OR NEW.action IS DISTINCT FROM OLD.action OR NEW.address IS DISTINCT FROM OLD.address
       OR NOT (NEW.target IS NOT DISTINCT FROM OLD.target OR NEW.target = '(erased)')
       OR NOT (NEW.before IS NOT DISTINCT FROM OLD.before OR NEW.before IS NULL)
       OR NOT (NEW.after IS NOT DISTINCT FROM OLD.after OR NEW.after IS NULL)
       OR NOT (NEW.end_user_id IS NOT DISTINCT FROM OLD.end_user_id OR NEW.end_user_id IS NULL) THEN
        RAISE EXCEPTION 'audit_log entries are never changed; erasure only clears personal data';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Comment search folds case as the query does (SQLite: the pulse_fold function the reader registers,
-- .NET's ToUpperInvariant): one character at a time, as the database's ctype maps it.
CREATE FUNCTION pulse_fold(value TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN upper(value);

-- SQLite's JSON1 functions the shared SQL uses, over JSON held as text (G4): json_each of an object or
-- an array (key, value as text, SQLite's type name, atom), json_type and json_extract at a path
-- '$.key' or '$."key"', json_group_array of text, instr.
CREATE FUNCTION pulse_json_type(v jsonb) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE jsonb_typeof(v)
        WHEN 'string' THEN 'text'
        WHEN 'number' THEN CASE WHEN v::text ~ '^-?[0-9]+$' THEN 'integer' ELSE 'real' END
        WHEN 'boolean' THEN v::text
        ELSE jsonb_typeof(v) END;

CREATE FUNCTION pulse_json_text(v jsonb) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE jsonb_typeof(v) WHEN 'string' THEN v #>> '{}' WHEN 'null' THEN NULL ELSE v::text END;

CREATE FUNCTION pulse_json_at(doc TEXT, path TEXT) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN jsonb_typeof(CAST(doc AS jsonb)) = 'object' AND left(path, 2) = '$.'
        THEN CAST(doc AS jsonb) -> (CASE WHEN substr(path, 3, 1) = '"' THEN substr(path, 4, length(path) - 4) ELSE substr(path, 3) END)
        END;

CREATE FUNCTION json_each(doc TEXT) RETURNS TABLE (key TEXT, value TEXT, type TEXT, atom TEXT)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT e.key, pulse_json_text(e.value), pulse_json_type(e.value), pulse_json_text(e.value)
    FROM jsonb_each(CASE WHEN jsonb_typeof(CAST(doc AS jsonb)) = 'object' THEN CAST(doc AS jsonb) ELSE '{}' END) e
    UNION ALL
    SELECT CAST(a.n - 1 AS TEXT), pulse_json_text(a.v), pulse_json_type(a.v), pulse_json_text(a.v)
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(CAST(doc AS jsonb)) = 'array' THEN CAST(doc AS jsonb) ELSE '[]' END)
         WITH ORDINALITY AS a(v, n)
$$;

CREATE FUNCTION json_type(doc TEXT, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pulse_json_type(pulse_json_at(doc, path));

CREATE FUNCTION json_extract(doc TEXT, path TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN pulse_json_text(pulse_json_at(doc, path));

CREATE FUNCTION pulse_json_array_final(items TEXT[]) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CAST(to_json(COALESCE(items, '{}')) AS TEXT);

CREATE AGGREGATE json_group_array(TEXT) (SFUNC = array_append, STYPE = TEXT[], FINALFUNC = pulse_json_array_final, INITCOND = '{}');

CREATE FUNCTION instr(text TEXT, needle TEXT) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN strpos(text, needle);
