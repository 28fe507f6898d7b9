-- Hourly aggregates for every segment (issue 19, decision Q1), as on SQLite (0180_hourly_segments.sql):
-- nps_hourly gains the segment columns of nps_daily and a primary key over them; nps_pair_hourly is
-- nps_pair_daily per UTC hour, its keys in byte order (COLLATE "C") like the day table's.
ALTER TABLE nps_hourly ADD COLUMN trait_key TEXT NOT NULL DEFAULT '';
ALTER TABLE nps_hourly ADD COLUMN trait_value TEXT NOT NULL DEFAULT '';
ALTER TABLE nps_hourly DROP CONSTRAINT nps_hourly_pkey;
ALTER TABLE nps_hourly ADD PRIMARY KEY (survey_id, trait_key, hour, trait_value);

CREATE TABLE nps_pair_hourly (
    survey_id     TEXT   NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    key_a         TEXT   COLLATE "C" NOT NULL,
    key_b         TEXT   COLLATE "C" NOT NULL,
    hour          BIGINT NOT NULL,                  -- UTC hours since 1970-01-01T00:00Z
    value_a       TEXT   NOT NULL,
    value_b       TEXT   NOT NULL,
    displays      BIGINT NOT NULL DEFAULT 0,
    promoters     BIGINT NOT NULL DEFAULT 0,
    passives      BIGINT NOT NULL DEFAULT 0,
    detractors    BIGINT NOT NULL DEFAULT 0,
    score_sum     BIGINT NOT NULL DEFAULT 0,
    score_squares BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, key_a, key_b, hour, value_a, value_b)
);

-- The start-up sync rebuilds both pair tables when the listed keys differ from the stored ones.
DELETE FROM nps_pair_keys;

-- Backfill: the segment rows of every hour from displays and responses (the rows for all data were
-- copied above); NpsAggregateHook.Rebuild runs this part again after migration 0100's. Shared text
-- with the PostgreSQL twin: categories are CASE expressions, not comparisons.
CREATE TEMP TABLE hour_contrib AS
    SELECT d.survey_id, d.traits, d.locale, d.variant, d.channel, d.shown_at AS at, 1 AS displays, 0 AS promoters,
           0 AS passives, 0 AS detractors, 0 AS score_sum, 0 AS score_squares
    FROM displays d
    UNION ALL
    SELECT r.survey_id, d.traits, d.locale, d.variant, d.channel, r.created_at, 0,
           CASE WHEN r.category IN ('promoter', 'satisfied', 'easy') THEN 1 ELSE 0 END,
           CASE WHEN r.category IN ('passive', 'neutral') THEN 1 ELSE 0 END,
           CASE WHEN r.category IN ('detractor', 'dissatisfied', 'difficult') THEN 1 ELSE 0 END, r.score, r.score * r.score
    FROM responses r JOIN displays d ON d.id = r.display_id;

INSERT INTO nps_hourly (survey_id, trait_key, hour, trait_value, displays, promoters, passives, detractors, score_sum, score_squares)
SELECT survey_id, trait_key, at / 3600000, trait_value, sum(displays), sum(promoters), sum(passives), sum(detractors),
       sum(score_sum), sum(score_squares)
FROM (
    SELECT c.survey_id, j.key AS trait_key,
           CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.atom AS TEXT) END AS trait_value,
           c.at, c.displays, c.promoters, c.passives, c.detractors, c.score_sum, c.score_squares
    FROM hour_contrib c, json_each(c.traits) j
    WHERE j.type IN ('text', 'integer', 'real', 'true', 'false') AND j.key <> ''
    UNION ALL
    SELECT survey_id, '@locale', locale, at, displays, promoters, passives, detractors, score_sum, score_squares
    FROM hour_contrib WHERE locale IS NOT NULL
    UNION ALL
    SELECT survey_id, '@variant', variant, at, displays, promoters, passives, detractors, score_sum, score_squares
    FROM hour_contrib WHERE variant IS NOT NULL
    UNION ALL
    SELECT survey_id, '@channel', channel, at, displays, promoters, passives, detractors, score_sum, score_squares
    FROM hour_contrib WHERE channel IS NOT NULL
) AS segments
GROUP BY survey_id, trait_key, at / 3600000, trait_value;

DROP TABLE hour_contrib;
