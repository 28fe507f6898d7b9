-- A scratch table for the writer's disk-space probe: while writes fail for lack of space, the
-- idle writer inserts and deletes one 64 KiB row in a transaction every few seconds; the first
-- commit that succeeds ends the "disk full" state (docs/decisions.md, H-records). Always empty.

CREATE TABLE storage_probe (
    id  INTEGER PRIMARY KEY,
    pad BLOB    NOT NULL
);
