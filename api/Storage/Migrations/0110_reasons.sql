-- The reasons question (issue 17). A survey's reasons question (JSON, NULL: none; a variant may
-- carry its own inside surveys.variants), and the reasons each answer chose: one row per chosen
-- reason id, the "Other" answer as the id 'other' with its text. Rows go with their response
-- (ON DELETE CASCADE: erasure removes them). Analytics reads them joined to the range's responses
-- (index responses_workspace_time), so the primary key is all it needs.

ALTER TABLE surveys ADD COLUMN reasons TEXT;

CREATE TABLE response_reasons (
    response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,
    reason_id   TEXT NOT NULL,
    other_text  TEXT,
    PRIMARY KEY (response_id, reason_id)
) WITHOUT ROWID;
