-- Question kinds (issue 17): nps and enps 0–10, csat 1–5, ces 1–7. A survey's kind is fixed at
-- creation. The aggregates count every kind's three categories in the same columns, lowest first:
-- detractors = detractor | dissatisfied | difficult, passives = passive | neutral,
-- promoters = promoter | satisfied | easy. They now also sum the scores and their squares (the CES
-- mean and its interval); displays add 0 to both.

ALTER TABLE nps_daily ADD COLUMN score_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE nps_daily ADD COLUMN score_squares INTEGER NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN score_sum INTEGER NOT NULL DEFAULT 0;
ALTER TABLE nps_hourly ADD COLUMN score_squares INTEGER NOT NULL DEFAULT 0;

-- Backfill: both tables recomputed from displays and responses with every column (the rows of all
-- data, of each trait, of '@locale' and '@variant'); api/Analytics/NpsAggregateHook.cs runs the same.
DELETE FROM nps_daily;
DELETE FROM nps_hourly;

CREATE TEMP TABLE kind_contrib AS
    SELECT d.survey_id, d.traits, d.locale, d.variant, d.shown_at AS at, 1 AS displays, 0 AS promoters, 0 AS passives,
           0 AS detractors, 0 AS score_sum, 0 AS score_squares
    FROM displays d
    UNION ALL
    SELECT r.survey_id, d.traits, d.locale, d.variant, r.created_at, 0,
           r.category IN ('promoter', 'satisfied', 'easy'), r.category IN ('passive', 'neutral'),
           r.category IN ('detractor', 'dissatisfied', 'difficult'), r.score, r.score * r.score
    FROM responses r JOIN displays d ON d.id = r.display_id;

INSERT INTO nps_daily (survey_id, trait_key, day, trait_value, displays, promoters, passives, detractors, score_sum, score_squares)
SELECT survey_id, trait_key, at / 86400000, trait_value, sum(displays), sum(promoters), sum(passives), sum(detractors),
       sum(score_sum), sum(score_squares)
FROM (
    SELECT survey_id, '' AS trait_key, '' AS trait_value, at, displays, promoters, passives, detractors, score_sum, score_squares
    FROM kind_contrib
    UNION ALL
    SELECT c.survey_id, j.key,
           CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.atom AS TEXT) END,
           c.at, c.displays, c.promoters, c.passives, c.detractors, c.score_sum, c.score_squares
    FROM kind_contrib c, json_each(c.traits) j
    WHERE j.type IN ('text', 'integer', 'real', 'true', 'false') AND j.key <> ''
    UNION ALL
    SELECT survey_id, '@locale', locale, at, displays, promoters, passives, detractors, score_sum, score_squares
    FROM kind_contrib WHERE locale IS NOT NULL
    UNION ALL
    SELECT survey_id, '@variant', variant, at, displays, promoters, passives, detractors, score_sum, score_squares
    FROM kind_contrib WHERE variant IS NOT NULL
)
GROUP BY survey_id, trait_key, at / 86400000, trait_value;

INSERT INTO nps_hourly (survey_id, hour, displays, promoters, passives, detractors, score_sum, score_squares)
SELECT survey_id, at / 3600000, sum(displays), sum(promoters), sum(passives), sum(detractors), sum(score_sum), sum(score_squares)
FROM kind_contrib GROUP BY survey_id, at / 3600000;

DROP TABLE kind_contrib;
