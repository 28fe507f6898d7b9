-- Score distribution and reasons from aggregates (issue 19, decisions S1-S3), as on SQLite
-- (0210_score_reason_aggregates.sql): the score counters s0..s10 on the four NPS aggregate tables and
-- the reason tables reason_daily and reason_hourly, with the same backfill text.

ALTER TABLE nps_daily ADD COLUMN s0 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s1 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s2 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s3 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s4 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s5 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s6 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s7 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s8 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s9 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN s10 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s0 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s1 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s2 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s3 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s4 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s5 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s6 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s7 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s8 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s9 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN s10 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s0 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s1 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s2 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s3 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s4 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s5 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s6 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s7 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s8 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s9 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_daily ADD COLUMN s10 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s0 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s1 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s2 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s3 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s4 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s5 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s6 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s7 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s8 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s9 BIGINT NOT NULL DEFAULT 0;
ALTER TABLE nps_pair_hourly ADD COLUMN s10 BIGINT NOT NULL DEFAULT 0;

-- Backfill of the score columns of the segment rows (all data, traits, locale, variant, channel), as the hook counts them.
CREATE TEMP TABLE score_contrib AS
    SELECT r.survey_id, d.traits, d.locale, d.variant, d.channel, r.created_at AS at, r.score
    FROM responses r JOIN displays d ON d.id = r.display_id;

UPDATE nps_daily AS n SET s0 = t.s0, s1 = t.s1, s2 = t.s2, s3 = t.s3, s4 = t.s4, s5 = t.s5, s6 = t.s6, s7 = t.s7, s8 = t.s8, s9 = t.s9, s10 = t.s10
FROM (
    SELECT survey_id, trait_key, at / 86400000 AS unit, trait_value, sum(CASE WHEN score = 0 THEN 1 ELSE 0 END) AS s0, sum(CASE WHEN score = 1 THEN 1 ELSE 0 END) AS s1, sum(CASE WHEN score = 2 THEN 1 ELSE 0 END) AS s2, sum(CASE WHEN score = 3 THEN 1 ELSE 0 END) AS s3, sum(CASE WHEN score = 4 THEN 1 ELSE 0 END) AS s4, sum(CASE WHEN score = 5 THEN 1 ELSE 0 END) AS s5, sum(CASE WHEN score = 6 THEN 1 ELSE 0 END) AS s6, sum(CASE WHEN score = 7 THEN 1 ELSE 0 END) AS s7, sum(CASE WHEN score = 8 THEN 1 ELSE 0 END) AS s8, sum(CASE WHEN score = 9 THEN 1 ELSE 0 END) AS s9, sum(CASE WHEN score = 10 THEN 1 ELSE 0 END) AS s10
    FROM (
    SELECT survey_id, '' AS trait_key, '' AS trait_value, at, score FROM score_contrib
    UNION ALL
    SELECT c.survey_id, j.key, CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.atom AS TEXT) END, c.at, c.score
    FROM score_contrib c, json_each(c.traits) j
    WHERE j.type IN ('text', 'integer', 'real', 'true', 'false') AND j.key <> ''
    UNION ALL
    SELECT survey_id, '@locale', locale, at, score FROM score_contrib WHERE locale IS NOT NULL
    UNION ALL
    SELECT survey_id, '@variant', variant, at, score FROM score_contrib WHERE variant IS NOT NULL
    UNION ALL
    SELECT survey_id, '@channel', channel, at, score FROM score_contrib WHERE channel IS NOT NULL
    ) AS segments
    GROUP BY survey_id, trait_key, at / 86400000, trait_value
) AS t
WHERE n.survey_id = t.survey_id AND n.trait_key = t.trait_key AND n.day = t.unit AND n.trait_value = t.trait_value;

UPDATE nps_hourly AS n SET s0 = t.s0, s1 = t.s1, s2 = t.s2, s3 = t.s3, s4 = t.s4, s5 = t.s5, s6 = t.s6, s7 = t.s7, s8 = t.s8, s9 = t.s9, s10 = t.s10
FROM (
    SELECT survey_id, trait_key, at / 3600000 AS unit, trait_value, sum(CASE WHEN score = 0 THEN 1 ELSE 0 END) AS s0, sum(CASE WHEN score = 1 THEN 1 ELSE 0 END) AS s1, sum(CASE WHEN score = 2 THEN 1 ELSE 0 END) AS s2, sum(CASE WHEN score = 3 THEN 1 ELSE 0 END) AS s3, sum(CASE WHEN score = 4 THEN 1 ELSE 0 END) AS s4, sum(CASE WHEN score = 5 THEN 1 ELSE 0 END) AS s5, sum(CASE WHEN score = 6 THEN 1 ELSE 0 END) AS s6, sum(CASE WHEN score = 7 THEN 1 ELSE 0 END) AS s7, sum(CASE WHEN score = 8 THEN 1 ELSE 0 END) AS s8, sum(CASE WHEN score = 9 THEN 1 ELSE 0 END) AS s9, sum(CASE WHEN score = 10 THEN 1 ELSE 0 END) AS s10
    FROM (
    SELECT survey_id, '' AS trait_key, '' AS trait_value, at, score FROM score_contrib
    UNION ALL
    SELECT c.survey_id, j.key, CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.atom AS TEXT) END, c.at, c.score
    FROM score_contrib c, json_each(c.traits) j
    WHERE j.type IN ('text', 'integer', 'real', 'true', 'false') AND j.key <> ''
    UNION ALL
    SELECT survey_id, '@locale', locale, at, score FROM score_contrib WHERE locale IS NOT NULL
    UNION ALL
    SELECT survey_id, '@variant', variant, at, score FROM score_contrib WHERE variant IS NOT NULL
    UNION ALL
    SELECT survey_id, '@channel', channel, at, score FROM score_contrib WHERE channel IS NOT NULL
    ) AS segments
    GROUP BY survey_id, trait_key, at / 3600000, trait_value
) AS t
WHERE n.survey_id = t.survey_id AND n.trait_key = t.trait_key AND n.hour = t.unit AND n.trait_value = t.trait_value;

DROP TABLE score_contrib;

-- The pair tables are refilled by the start-up sync (api/Analytics/PairAggregates.cs), which rebuilds
-- both when the listed keys differ from the stored ones: forgetting them makes it run once.
DELETE FROM nps_pair_keys;

CREATE TABLE reason_daily (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    day         BIGINT  NOT NULL,                  -- UTC days since 1970-01-01
    category    TEXT    NOT NULL,
    reason_id   TEXT    NOT NULL,                  -- '': the answers of the category that chose any reason
    answers     BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, day, category, reason_id)
);

CREATE TABLE reason_hourly (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    hour        BIGINT  NOT NULL,                  -- UTC hours since 1970-01-01T00:00Z
    category    TEXT    NOT NULL,
    reason_id   TEXT    NOT NULL,
    answers     BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, hour, category, reason_id)
);

-- Backfill: one row per chosen reason, and one ('') per answer that chose any, at the answer's created_at.
CREATE TEMP TABLE reason_contrib AS
    SELECT r.survey_id, r.created_at AS at, r.category, rr.reason_id
    FROM responses r JOIN response_reasons rr ON rr.response_id = r.id
    UNION ALL
    SELECT r.survey_id, r.created_at, r.category, ''
    FROM responses r WHERE EXISTS (SELECT 1 FROM response_reasons rr WHERE rr.response_id = r.id);

INSERT INTO reason_daily (survey_id, day, category, reason_id, answers)
SELECT survey_id, at / 86400000, category, reason_id, count(*) FROM reason_contrib GROUP BY survey_id, at / 86400000, category, reason_id;

INSERT INTO reason_hourly (survey_id, hour, category, reason_id, answers)
SELECT survey_id, at / 3600000, category, reason_id, count(*) FROM reason_contrib GROUP BY survey_id, at / 3600000, category, reason_id;

DROP TABLE reason_contrib;
