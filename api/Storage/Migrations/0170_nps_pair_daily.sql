-- Pair aggregates (issue 19, decision P4): per survey, UTC day and unordered pair of segment keys
-- (key_a < key_b, byte order) with their two values, the same counters as nps_daily, so a filter
-- on one key with groups by another, or two filters, read day rows instead of raw rows. Only the
-- keys listed in nps_pair_keys take part (the setting Analytics:PairTraits, synchronised at
-- start-up by api/Analytics/PairAggregates.cs, which also rebuilds this table when the list changes);
-- api/Analytics/NpsAggregateHook.cs keeps it in the writer's transaction like nps_daily.

CREATE TABLE nps_pair_keys (
    key TEXT NOT NULL PRIMARY KEY
) WITHOUT ROWID;

CREATE TABLE nps_pair_daily (
    survey_id     TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    key_a         TEXT    NOT NULL,
    key_b         TEXT    NOT NULL,
    day           INTEGER NOT NULL,                  -- UTC days since 1970-01-01
    value_a       TEXT    NOT NULL,
    value_b       TEXT    NOT NULL,
    displays      INTEGER NOT NULL DEFAULT 0,
    promoters     INTEGER NOT NULL DEFAULT 0,
    passives      INTEGER NOT NULL DEFAULT 0,
    detractors    INTEGER NOT NULL DEFAULT 0,
    score_sum     INTEGER NOT NULL DEFAULT 0,
    score_squares INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, key_a, key_b, day, value_a, value_b)
) WITHOUT ROWID;
