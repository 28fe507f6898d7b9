-- Languages and A/B variants (issue 17). A survey's variants (JSON array, '[]' for none) and the
-- variant a display showed (NULL: the survey had none). The locale a display showed was already
-- recorded; the NPS aggregates now also count both per value under the reserved trait keys
-- '@locale' and '@variant' (no trait key can start with '@'), so groupBy=locale|variant reads
-- nps_daily like any trait (api/Analytics/NpsAggregateHook.cs keeps them in step).

ALTER TABLE surveys ADD COLUMN variants TEXT NOT NULL DEFAULT '[]';
ALTER TABLE displays ADD COLUMN variant TEXT;

-- Backfill the '@locale' and '@variant' rows from displays and responses written before this migration.
CREATE TEMP TABLE nps_field_contrib AS
    SELECT d.survey_id, d.locale, d.variant, d.shown_at AS at, 1 AS displays, 0 AS promoters, 0 AS passives, 0 AS detractors
    FROM displays d
    UNION ALL
    SELECT r.survey_id, d.locale, d.variant, r.created_at, 0, r.category = 'promoter', r.category = 'passive', r.category = 'detractor'
    FROM responses r JOIN displays d ON d.id = r.display_id;

INSERT INTO nps_daily (survey_id, trait_key, day, trait_value, displays, promoters, passives, detractors)
SELECT survey_id, trait_key, at / 86400000, trait_value, sum(displays), sum(promoters), sum(passives), sum(detractors)
FROM (
    SELECT survey_id, '@locale' AS trait_key, locale AS trait_value, at, displays, promoters, passives, detractors
    FROM nps_field_contrib WHERE locale IS NOT NULL
    UNION ALL
    SELECT survey_id, '@variant', variant, at, displays, promoters, passives, detractors
    FROM nps_field_contrib WHERE variant IS NOT NULL
)
GROUP BY survey_id, trait_key, at / 86400000, trait_value;

DROP TABLE nps_field_contrib;
