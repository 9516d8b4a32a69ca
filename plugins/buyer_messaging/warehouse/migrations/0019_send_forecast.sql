-- The send stage's forecast (issue #21): after each run's time-boxed sends, per kind, how many
-- messages were left ready and how many of them will expire unsent at the account's current
-- send rate (earliest deadline first; send/forecast.py). One row per run and kind.
CREATE TABLE IF NOT EXISTS messaging.send_forecasts (
    account_id      text             NOT NULL,
    kind            text             NOT NULL,
    computed_at     timestamptz      NOT NULL DEFAULT now(),
    run_day         date,
    ready           integer          NOT NULL,
    expiring_unsent integer          NOT NULL,
    rate_per_s      double precision NOT NULL,
    PRIMARY KEY (account_id, kind, computed_at)
);

-- The latest forecast per account and kind, for the dashboard and BI tools.
CREATE OR REPLACE VIEW reporting.send_forecast AS
SELECT DISTINCT ON (account_id, kind)
       account_id, kind, computed_at, run_day, ready, expiring_unsent, rate_per_s
FROM messaging.send_forecasts
ORDER BY account_id, kind, computed_at DESC;
