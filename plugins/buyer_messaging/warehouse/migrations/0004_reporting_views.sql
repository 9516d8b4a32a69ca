-- Reporting views behind the "Buyer messaging" page of the Airflow UI (plugins/buyer_messaging/ui).
-- Like 0002, a public contract once released (BI tools may read them): add columns, never rename.

-- Lint violations per account, planned day, rule: how many messages a rule caught, one example.
-- `sample` is an excerpt of a rendered message: retention nulls excerpts of purged orders, so
-- older days may have none.
CREATE OR REPLACE VIEW reporting.lint_violations AS
SELECT
    o.account_id,
    o.planned_for                                       AS day,
    v.rule,
    v.category,
    v.severity,
    count(*)::integer                                   AS count,
    (array_agg(v.excerpt ORDER BY v.outbox_id DESC)
        FILTER (WHERE v.excerpt IS NOT NULL))[1]        AS sample
FROM messaging.lint_violations v
JOIN messaging.outbox o ON o.id = v.outbox_id
GROUP BY o.account_id, o.planned_for, v.rule, v.category, v.severity;

-- Data quality per account, day and suite. A day's suite may run more than once (retries,
-- clears, backfills): the latest run is that day's verdict, `runs` counts them all.
CREATE OR REPLACE VIEW reporting.quality_summary AS
WITH ranked AS (
    SELECT r.*,
           count(*) OVER w_all                          AS runs,
           row_number() OVER (w_all ORDER BY r.started_at DESC, r.id DESC) AS recency
    FROM quality.runs r
    WINDOW w_all AS (PARTITION BY r.account_id, r.run_day, r.suite)
)
SELECT
    k.account_id,
    k.run_day                                           AS day,
    k.suite,
    k.runs::integer                                     AS runs,
    k.id                                                AS latest_run_id,
    k.success,
    k.rows_checked,
    k.rows_bad,
    coalesce(e.expectations, 0)                         AS expectations,
    coalesce(e.expectations_passed, 0)                  AS expectations_passed,
    k.docs_path,
    k.started_at
FROM ranked k
LEFT JOIN LATERAL (
    SELECT count(*)::integer                            AS expectations,
           (count(*) FILTER (WHERE res.success))::integer AS expectations_passed
    FROM quality.results res WHERE res.run_id = k.id
) e ON true
WHERE k.recency = 1;

-- Throttling (HTTP 429) per account, day and stage. send: delivery attempts by the day they
-- started (UTC) and the outbox row's channel; extract: extraction windows by the day they
-- start (calls and throttled as counted by the extractor).
CREATE OR REPLACE VIEW reporting.throttling AS
SELECT
    o.account_id,
    (a.started_at AT TIME ZONE 'UTC')::date             AS day,
    'send'::text                                        AS stage,
    o.channel                                           AS operation,
    count(*)::integer                                   AS calls,
    (count(*) FILTER (WHERE a.http_status = 429))::integer AS throttled
FROM messaging.attempts a
JOIN messaging.outbox o ON o.id = a.outbox_id
GROUP BY o.account_id, (a.started_at AT TIME ZONE 'UTC')::date, o.channel
UNION ALL
SELECT
    x.account_id,
    (x.window_start AT TIME ZONE 'UTC')::date             AS day,
    'extract'::text                                     AS stage,
    x.stream                                            AS operation,
    sum(x.calls)::integer                               AS calls,
    sum(x.throttled)::integer                           AS throttled
FROM staging.extract_runs x
GROUP BY x.account_id, (x.window_start AT TIME ZONE 'UTC')::date, x.stream;
