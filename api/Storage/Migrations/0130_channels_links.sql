-- Channels and personal survey links (issue 18). A display now says how the survey reached the
-- user: 'in_app' (the widget; every display written before this migration), 'link' (a personal
-- link opened on the hosted page) or 'email' (a link sent in a survey email). The NPS aggregates
-- count each display and answer under the reserved trait key '@channel' as they do '@locale'
-- (migration 0090), so groupBy=channel reads nps_daily like any trait.

ALTER TABLE displays ADD COLUMN channel TEXT NOT NULL DEFAULT 'in_app';

-- A personal link: only the SHA-256 of its token is stored. The display is recorded when the link
-- is first opened (display_id), once per link; its one answer is the display's response.
CREATE TABLE survey_links (
    id           INTEGER PRIMARY KEY,
    workspace_id TEXT    NOT NULL,
    survey_id    TEXT    NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    user_id      TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    channel      TEXT    NOT NULL CHECK (channel IN ('link', 'email')),
    locale       TEXT,                               -- the locale asked for at creation (negotiated at opening)
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    display_id   INTEGER REFERENCES displays (id) ON DELETE SET NULL,
    FOREIGN KEY (workspace_id, user_id) REFERENCES end_users (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX survey_links_user ON survey_links (workspace_id, user_id);

-- Backfill the '@channel' rows from displays and responses written before this migration (with the
-- score sums of migration 0100, and every kind's categories).
INSERT INTO nps_daily (survey_id, trait_key, day, trait_value, displays, promoters, passives, detractors, score_sum, score_squares)
SELECT survey_id, '@channel', at / 86400000, channel, sum(displays), sum(promoters), sum(passives), sum(detractors),
       sum(score_sum), sum(score_squares)
FROM (
    SELECT d.survey_id, d.channel, d.shown_at AS at, 1 AS displays, 0 AS promoters, 0 AS passives, 0 AS detractors,
           0 AS score_sum, 0 AS score_squares
    FROM displays d
    UNION ALL
    SELECT r.survey_id, d.channel, r.created_at, 0, r.category IN ('promoter', 'satisfied', 'easy'), r.category IN ('passive', 'neutral'),
           r.category IN ('detractor', 'dissatisfied', 'difficult'), r.score, r.score * r.score
    FROM responses r JOIN displays d ON d.id = r.display_id
)
GROUP BY survey_id, at / 86400000, channel;
