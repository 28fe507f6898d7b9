-- Accounts at scale (issue 19, decisions AC1–AC4): GET /v1/accounts reads two tables kept by
-- api/Analytics/AccountAggregates.cs in the writer's transaction instead of raw responses ⨝ displays.
-- account_running holds, per survey, account and UTC day with activity, the running totals of displays
-- and answers (by category rank, as nps_daily) up to and including that day: any day range of an
-- account is the difference of two rows. account_users holds, per survey, account and user, the time of
-- the user's latest answer and the account's name and ARR on it: the respondents of a range that ends
-- after the last answer (the default range ends now) are the users whose latest answer is in it.
-- Both filled here from the raw rows (the same SQL as AccountAggregates.Rebuild; with one max() SQLite
-- takes name and arr from the row that holds it).

CREATE TABLE account_running (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    account     TEXT    NOT NULL,                  -- the display snapshot's trait accountId, as text
    day         INTEGER NOT NULL,                  -- UTC days since 1970-01-01; a row per day with activity
    displays    INTEGER NOT NULL DEFAULT 0,        -- running totals: everything up to and including the day
    promoters   INTEGER NOT NULL DEFAULT 0,
    passives    INTEGER NOT NULL DEFAULT 0,
    detractors  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (survey_id, account, day)
) WITHOUT ROWID;

CREATE TABLE account_users (
    survey_id   TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    account     TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    last_at     INTEGER NOT NULL,                  -- the user's latest answer with this account (Unix ms)
    name        TEXT,                              -- accountName and arr on that answer's display
    arr         TEXT,
    PRIMARY KEY (survey_id, account, user_id)
) WITHOUT ROWID;
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
SELECT survey_id, account, user_id, max(at), name, arr
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
