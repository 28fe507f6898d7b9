-- Accounts at scale (issue 19, decisions AC1–AC4), as on SQLite (0220_account_aggregates.sql):
-- account_running (running totals per survey, account and day with activity) and account_users (each
-- user's latest answer per survey and account, with the name and ARR on it), filled from the raw rows.
-- PostgreSQL aggregates the name and ARR of the latest answer (SqlDialect.OfLatest).

CREATE TABLE account_running (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    account     TEXT    NOT NULL,                  -- the display snapshot's trait accountId, as text
    day         BIGINT NOT NULL,                  -- UTC days since 1970-01-01; a row per day with activity
    displays    BIGINT NOT NULL DEFAULT 0,        -- running totals: everything up to and including the day
    promoters   BIGINT NOT NULL DEFAULT 0,
    passives    BIGINT NOT NULL DEFAULT 0,
    detractors  BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, account, day)
);

CREATE TABLE account_users (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    account     TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    last_at     BIGINT NOT NULL,                  -- the user's latest answer with this account (Unix ms)
    name        TEXT,                              -- accountName and arr on that answer's display
    arr         TEXT,
    PRIMARY KEY (survey_id, account, user_id)
);
CREATE INDEX account_users_last ON account_users (survey_id, account, last_at);

INSERT INTO account_running (survey_id, account, day, displays, promoters, passives, detractors)
SELECT survey_id, account, day, sum(displays) OVER w, sum(promoters) OVER w, sum(passives) OVER w, sum(detractors) OVER w
FROM (
    SELECT survey_id, account, at / 86400000 AS day, sum(displays) AS displays, sum(promoters) AS promoters,
           sum(passives) AS passives, sum(detractors) AS detractors
    FROM (
        SELECT d.survey_id, (CASE json_type(d.traits, '$."accountId"')
             WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
             WHEN 'text' THEN json_extract(d.traits, '$."accountId"')
             WHEN 'integer' THEN CAST(json_extract(d.traits, '$."accountId"') AS TEXT)
             WHEN 'real' THEN CAST(json_extract(d.traits, '$."accountId"') AS TEXT) END) AS account, d.shown_at AS at,
               1 AS displays, 0 AS promoters, 0 AS passives, 0 AS detractors
        FROM displays d
        UNION ALL
        SELECT r.survey_id, (CASE json_type(d.traits, '$."accountId"')
             WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
             WHEN 'text' THEN json_extract(d.traits, '$."accountId"')
             WHEN 'integer' THEN CAST(json_extract(d.traits, '$."accountId"') AS TEXT)
             WHEN 'real' THEN CAST(json_extract(d.traits, '$."accountId"') AS TEXT) END), r.created_at, 0,
               CASE WHEN r.category IN ('promoter', 'satisfied', 'easy') THEN 1 ELSE 0 END,
               CASE WHEN r.category IN ('passive', 'neutral') THEN 1 ELSE 0 END,
               CASE WHEN r.category IN ('detractor', 'dissatisfied', 'difficult') THEN 1 ELSE 0 END
        FROM responses r JOIN displays d ON d.id = r.display_id
    ) AS contributions
    WHERE account IS NOT NULL
    GROUP BY survey_id, account, at / 86400000
) AS per_day
WINDOW w AS (PARTITION BY survey_id, account ORDER BY day);

INSERT INTO account_users (survey_id, account, user_id, last_at, name, arr)
SELECT survey_id, account, user_id, max(at), (array_agg(name ORDER BY at DESC))[1], (array_agg(arr ORDER BY at DESC))[1]
FROM (
    SELECT r.survey_id, (CASE json_type(d.traits, '$."accountId"')
             WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
             WHEN 'text' THEN json_extract(d.traits, '$."accountId"')
             WHEN 'integer' THEN CAST(json_extract(d.traits, '$."accountId"') AS TEXT)
             WHEN 'real' THEN CAST(json_extract(d.traits, '$."accountId"') AS TEXT) END) AS account, r.user_id, r.created_at AS at,
           (CASE json_type(d.traits, '$."accountName"')
             WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
             WHEN 'text' THEN json_extract(d.traits, '$."accountName"')
             WHEN 'integer' THEN CAST(json_extract(d.traits, '$."accountName"') AS TEXT)
             WHEN 'real' THEN CAST(json_extract(d.traits, '$."accountName"') AS TEXT) END) AS name, (CASE json_type(d.traits, '$."arr"')
             WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'
             WHEN 'text' THEN json_extract(d.traits, '$."arr"')
             WHEN 'integer' THEN CAST(json_extract(d.traits, '$."arr"') AS TEXT)
             WHEN 'real' THEN CAST(json_extract(d.traits, '$."arr"') AS TEXT) END) AS arr
    FROM responses r JOIN displays d ON d.id = r.display_id
) AS answers
WHERE account IS NOT NULL
GROUP BY survey_id, account, user_id;
