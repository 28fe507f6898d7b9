-- NPS aggregates, maintained by the analytics write hook in the same transaction as every
-- display, response and erasure (api/Analytics/NpsAggregateHook.cs). Counts of displays and of
-- responses per category; responses count at their created_at, displays at their shown_at.
--
-- nps_daily: per survey, UTC day and segment — one row for all data (trait_key = '' and
--   trait_value = '') and one per scalar trait of the display's snapshot. Trait values are text:
--   strings as they are, numbers as SQLite prints them, booleans as 'true'/'false'.
-- nps_hourly: per survey and UTC hour, all data only, so whole-hour time zones read the
--   unsegmented series without raw rows. Segments in other zones correct the edges of their
--   days from raw rows (see docs/decisions.md).

CREATE TABLE nps_daily (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    trait_key   TEXT    NOT NULL,
    day         INTEGER NOT NULL,                  -- UTC days since 1970-01-01
    trait_value TEXT    NOT NULL,
    displays    INTEGER NOT NULL DEFAULT 0,
    promoters   INTEGER NOT NULL DEFAULT 0,
    passives    INTEGER NOT NULL DEFAULT 0,
    detractors  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, trait_key, day, trait_value)
) WITHOUT ROWID;
-- where[key]=value reads one value over a range of days.
CREATE INDEX nps_daily_value ON nps_daily (survey_id, trait_key, trait_value, day);

CREATE TABLE nps_hourly (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    hour        INTEGER NOT NULL,                  -- UTC hours since 1970-01-01T00:00Z
    displays    INTEGER NOT NULL DEFAULT 0,
    promoters   INTEGER NOT NULL DEFAULT 0,
    passives    INTEGER NOT NULL DEFAULT 0,
    detractors  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, hour)
) WITHOUT ROWID;

-- Backfill from displays and responses written before this migration (same rules as the hook).
CREATE TEMP TABLE nps_contrib AS
    SELECT d.survey_id, d.traits, d.shown_at AS at, 1 AS displays, 0 AS promoters, 0 AS passives, 0 AS detractors
    FROM displays d
    UNION ALL
    SELECT r.survey_id, d.traits, r.created_at, 0, r.category = 'promoter', r.category = 'passive', r.category = 'detractor'
    FROM responses r JOIN displays d ON d.id = r.display_id;

INSERT INTO nps_daily (survey_id, trait_key, day, trait_value, displays, promoters, passives, detractors)
SELECT survey_id, trait_key, at / 86400000, trait_value, sum(displays), sum(promoters), sum(passives), sum(detractors)
FROM (
    SELECT survey_id, '' AS trait_key, '' AS trait_value, at, displays, promoters, passives, detractors
    FROM nps_contrib
    UNION ALL
    SELECT c.survey_id, j.key,
           CASE j.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(j.atom AS TEXT) END,
           c.at, c.displays, c.promoters, c.passives, c.detractors
    FROM nps_contrib c, json_each(c.traits) j
    WHERE j.type IN ('text', 'integer', 'real', 'true', 'false') AND j.key <> ''
)
GROUP BY survey_id, trait_key, at / 86400000, trait_value;

INSERT INTO nps_hourly (survey_id, hour, displays, promoters, passives, detractors)
SELECT survey_id, at / 3600000, sum(displays), sum(promoters), sum(passives), sum(detractors)
FROM nps_contrib GROUP BY survey_id, at / 3600000;

DROP TABLE nps_contrib;
