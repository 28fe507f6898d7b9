-- Outbox leases (issue 20, decision I1): the instance dispatching a webhook delivery or sending an
-- email holds it until lease_until (unix ms); another instance claims a row (FOR UPDATE SKIP LOCKED)
-- only when it has no lease or its lease has expired, so a dead instance's work is resumed.
ALTER TABLE webhook_deliveries ADD COLUMN lease_owner TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN lease_until BIGINT;
ALTER TABLE email_outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE email_outbox ADD COLUMN lease_until BIGINT;
