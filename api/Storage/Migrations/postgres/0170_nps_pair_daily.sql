-- Pair aggregates (issue 19, decision P4), as on SQLite (0170_nps_pair_daily.sql). The key columns
-- compare in byte order (COLLATE "C"), as SQLite's key_a < key_b does.
CREATE TABLE nps_pair_keys (
    key TEXT COLLATE "C" NOT NULL PRIMARY KEY
);

CREATE TABLE nps_pair_daily (
    survey_id     TEXT   NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    key_a         TEXT   COLLATE "C" NOT NULL,
    key_b         TEXT   COLLATE "C" NOT NULL,
    day           BIGINT NOT NULL,                  -- UTC days since 1970-01-01
    value_a       TEXT   NOT NULL,
    value_b       TEXT   NOT NULL,
    displays      BIGINT NOT NULL DEFAULT 0,
    promoters     BIGINT NOT NULL DEFAULT 0,
    passives      BIGINT NOT NULL DEFAULT 0,
    detractors    BIGINT NOT NULL DEFAULT 0,
    score_sum     BIGINT NOT NULL DEFAULT 0,
    score_squares BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, key_a, key_b, day, value_a, value_b)
);
