-- 0019: the statistics rollup (docs/patrol.md "Statistics", src/store/store_stats.c):
-- one row per region and day of raising (its 00:00 in China time, UTC+8) with the
-- additive counts of the demands counted there and a histogram of their
-- first-response times, so that a statistics read sums a few rows per region and
-- day instead of scanning the demands. Kept up to date in the same transaction as
-- each change of a case (the difference of the case's contribution before and
-- after); `bianmin stats verify` recomputes it from the demands and compares,
-- `bianmin stats rebuild` refills it with the INSERT below.
--
-- times: "seconds:count" pairs separated by commas, seconds being the lower end
-- of a first-response bucket: to the second under one hour, to the minute under a
-- day, to the hour under 365 days, and 31536000 for a year or more.
CREATE TABLE stats_rollup (
    region       TEXT COLLATE "C" NOT NULL,
    day          BIGINT NOT NULL,
    demands      BIGINT NOT NULL DEFAULT 0,
    responded    BIGINT NOT NULL DEFAULT 0,
    resolved     BIGINT NOT NULL DEFAULT 0,
    rated        BIGINT NOT NULL DEFAULT 0,
    satisfied    BIGINT NOT NULL DEFAULT 0,
    first_line   BIGINT NOT NULL DEFAULT 0,
    returned     BIGINT NOT NULL DEFAULT 0,
    whistled     BIGINT NOT NULL DEFAULT 0,
    overdue      BIGINT NOT NULL DEFAULT 0,
    acknowledged BIGINT NOT NULL DEFAULT 0,
    times        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (region, day)
);

INSERT INTO stats_rollup(region, day, demands, responded, resolved, rated, satisfied,
                         first_line, returned, whistled, overdue, acknowledged, times)
WITH d AS (
    SELECT c.region AS region, c.created_at - (c.created_at + 28800) % 86400 AS day,
        (EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'acknowledge')
         AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
                         AND e.action = 'clock.missed' AND e.clock = 'ack')
         AND NOT EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id AND k.name = 'ack'
                         AND k.status = 'missed'))::int AS responded,
        (c.state IN ('resolved', 'followed_up', 'closed'))::int AS resolved,
        (c.rating <> '')::int AS rated,
        (c.rating IN ('satisfied', 'fair'))::int AS satisfied,
        (c.state IN ('resolved', 'followed_up', 'closed') AND c.escalations = 0)::int AS first_line,
        (c.returns > 0)::int AS returned,
        (c.whistles > 0)::int AS whistled,
        (EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id AND k.name IN ('ack', 'resolve')
                 AND k.status = 'missed')
         OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id
                    AND e.action = 'clock.missed' AND e.clock IN ('ack', 'resolve')))::int AS overdue,
        (SELECT min(e.at) FROM case_events e WHERE e.case_id = c.id AND e.action = 'acknowledge')
            - c.created_at AS t
    FROM cases c WHERE c.type = 'demand' AND c.state <> 'merged'),
b AS (
    SELECT region, day, CASE WHEN t < 3600 THEN greatest(t, 0) WHEN t < 86400 THEN t - t % 60
                             WHEN t < 31536000 THEN t - t % 3600 ELSE 31536000 END AS s,
           count(*) AS n
    FROM d WHERE t IS NOT NULL GROUP BY 1, 2, 3),
h AS (SELECT region, day, string_agg(s || ':' || n, ',' ORDER BY s) AS times FROM b GROUP BY 1, 2)
SELECT a.region, a.day, a.demands, a.responded, a.resolved, a.rated, a.satisfied, a.first_line,
       a.returned, a.whistled, a.overdue, a.acknowledged, coalesce(h.times, '')
FROM (SELECT region, day, count(*) AS demands, sum(responded) AS responded,
             sum(resolved) AS resolved, sum(rated) AS rated, sum(satisfied) AS satisfied,
             sum(first_line) AS first_line, sum(returned) AS returned, sum(whistled) AS whistled,
             sum(overdue) AS overdue, count(t) AS acknowledged
      FROM d GROUP BY 1, 2) a
LEFT JOIN h ON h.region = a.region AND h.day = a.day;
