-- The follow-up SLA (issue 16): hours within which a detractor's follow-up should be touched (first
-- note or status change); GET /v1/metrics/follow-ups reports the share touched within it.
ALTER TABLE follow_up_settings ADD COLUMN sla_hours INTEGER NOT NULL DEFAULT 48;
