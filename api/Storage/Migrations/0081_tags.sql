-- Tags (issue 16): a workspace's list of tags and the tags on its responses. Names compare without
-- regard to case ("Pricing" and "pricing" are one tag); the spelling first used is kept.

CREATE TABLE tags (
    workspace_id TEXT    NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL COLLATE NOCASE,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, name)
) WITHOUT ROWID;

CREATE TABLE response_tags (
    response_id  INTEGER NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    workspace_id TEXT    NOT NULL,
    tag          TEXT    NOT NULL COLLATE NOCASE,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (response_id, tag),
    FOREIGN KEY (workspace_id, tag) REFERENCES tags (workspace_id, name) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX response_tags_tag ON response_tags (workspace_id, tag, response_id);
