-- Where each account's streams have really been queried up to: the furthest clipped end any
-- extraction run recorded (Amazon answers only up to two minutes before now, so a run inside
-- that lag stops short of its interval). The next window starts there (extract/watermark.py);
-- this view is for operators asking "how far has acme_us's orders stream got?".
CREATE OR REPLACE VIEW staging.extract_watermarks AS
SELECT account_id,
       stream,
       max(window_end)  AS queried_until,
       max(finished_at) AS last_run_at,
       count(*)         AS runs
FROM staging.extract_runs
GROUP BY account_id, stream;
