-- Team (issue 15): people who sign in, their role in each workspace, one-time links, sessions,
-- the audit log, and the scope of secret keys. Times are UTC Unix milliseconds.

-- 'full' (every permission, as keys always had) or 'read' (analytics, responses, exports; no writes).
ALTER TABLE secret_keys ADD COLUMN scope TEXT NOT NULL DEFAULT 'full' CHECK (scope IN ('full', 'read'));

CREATE TABLE members (
    id            TEXT    PRIMARY KEY,                    -- mem_…
    email         TEXT    NOT NULL UNIQUE,                -- lower case, trimmed
    name          TEXT,
    password_hash TEXT,                                   -- ASP.NET Core PasswordHasher (PBKDF2); NULL until a link is accepted
    created_at    INTEGER NOT NULL
);

CREATE TABLE workspace_members (
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    member_id    TEXT    NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, member_id)
);
CREATE INDEX workspace_members_member ON workspace_members (member_id);

-- One-time links: an invitation to a workspace with a role, or a password reset. Only the SHA-256
-- of the token is stored; a link is used once and expires.
CREATE TABLE invitations (
    id           TEXT    PRIMARY KEY,                     -- inv_…
    token_hash   BLOB    NOT NULL UNIQUE,
    kind         TEXT    NOT NULL CHECK (kind IN ('invite', 'reset')),
    member_id    TEXT    NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    workspace_id TEXT    REFERENCES workspaces (id) ON DELETE CASCADE,
    role         TEXT    CHECK (role IN ('owner', 'admin', 'analyst', 'viewer')),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX invitations_workspace ON invitations (workspace_id);

-- Dashboard sessions: the cookie carries the token, the row its SHA-256. A session ends after
-- Authentication:SessionIdleHours without a request, or when deleted (sign out, everywhere).
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,                     -- ses_…
    token_hash   BLOB    NOT NULL UNIQUE,
    member_id    TEXT    NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL,                        -- the workspace the member is looking at
    csrf_token   TEXT    NOT NULL,                        -- sent back in X-Pulse-CSRF on every write
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_member ON sessions (member_id);

-- Who changed what. Append-only: rows are never deleted, and the only change allowed is erasure
-- clearing an end user's personal data (target, before, after, end_user_id).
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
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

CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
WHEN NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.workspace_id IS NOT OLD.workspace_id
  OR NEW.actor_type IS NOT OLD.actor_type OR NEW.actor_id IS NOT OLD.actor_id OR NEW.actor_label IS NOT OLD.actor_label
  OR NEW.action IS NOT OLD.action OR NEW.address IS NOT OLD.address
  OR NOT (NEW.target IS OLD.target OR NEW.target = '(erased)')
  OR NOT (NEW.before IS OLD.before OR NEW.before IS NULL)
  OR NOT (NEW.after IS OLD.after OR NEW.after IS NULL)
  OR NOT (NEW.end_user_id IS OLD.end_user_id OR NEW.end_user_id IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'audit_log entries are never changed; erasure only clears personal data');
END;
