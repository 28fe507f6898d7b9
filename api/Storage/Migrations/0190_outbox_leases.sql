-- Outbox leases (issue 20, decision I1): the instance dispatching a webhook delivery or sending an
-- email holds it until lease_until (unix ms); another instance takes a row only when it has no
-- lease or its lease has expired, so a dead instance's work is resumed. SQLite runs one process per
-- file and leaves the webhook columns empty; the email outbox records its sender on both providers.
ALTER TABLE webhook_deliveries ADD COLUMN lease_owner TEXT;
ALTER TABLE webhook_deliveries ADD COLUMN lease_until INTEGER;
ALTER TABLE email_outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE email_outbox ADD COLUMN lease_until INTEGER;
