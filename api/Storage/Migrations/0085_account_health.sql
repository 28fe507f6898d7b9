-- Account health (issue 16): the workspace's health formula (weights, overdue penalty, band
-- thresholds, low-sample threshold) as a JSON object; a field it lacks takes its default
-- (AccountHealthSettings in api/Analytics/AccountHealth.cs, docs/decisions.md F4-2).
ALTER TABLE follow_up_settings ADD COLUMN account_health TEXT NOT NULL DEFAULT '{}';
