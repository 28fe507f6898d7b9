-- Administration from the dashboard (issue 14).
-- Secret keys get a name for humans and the time each was last used (recorded at most once a minute).
ALTER TABLE secret_keys ADD COLUMN name TEXT;
ALTER TABLE secret_keys ADD COLUMN last_used_at INTEGER;

-- After a rotation the replaced identity secret keeps verifying userHash until this time, so a
-- vendor can deploy the new one without a gap; NULL when there is none.
ALTER TABLE workspaces ADD COLUMN previous_identity_secret TEXT;
ALTER TABLE workspaces ADD COLUMN previous_identity_secret_expires_at INTEGER;

-- The NPS the workspace aims for, drawn as a line on the dashboard's trend; NULL for none.
ALTER TABLE workspaces ADD COLUMN nps_target REAL;
