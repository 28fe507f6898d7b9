-- Whether viewers of the workspace may export responses (CSV with personal data); owners and admins
-- choose it (decision P12). Off by default: a viewer reads the dashboards only.
ALTER TABLE workspaces ADD COLUMN viewers_may_export INTEGER NOT NULL DEFAULT 0;
