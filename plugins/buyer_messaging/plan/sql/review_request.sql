-- Review requests due on the run's day, set-based, at most one per (account, order, kind).
-- Amazon offers the solicitation from 5 days after EarliestDeliveryDate to 30 days after
-- LatestDeliveryDate; `delay_days` pushes the start later inside that window. What is due on
-- a backfilled day but whose window has already closed is recorded as expired, never sent.
WITH due AS (
    SELECT
        o.account_id,
        o.marketplace_id,
        o.amazon_order_id,
        o.earliest_delivery_date + make_interval(days => 5 + %(delay_days)s) AS send_after,
        o.latest_delivery_date + interval '30 days'                           AS send_before
    FROM staging.orders o
    WHERE o.account_id = %(account_id)s
      AND o.order_status = 'Shipped'
      AND NOT o.quarantined
      AND o.earliest_delivery_date IS NOT NULL
      AND o.latest_delivery_date IS NOT NULL
)
INSERT INTO messaging.outbox
    (account_id, marketplace_id, amazon_order_id, kind, channel, status, planned_for, due_on,
     send_before, reason)
SELECT
    d.account_id, d.marketplace_id, d.amazon_order_id, 'review_request', 'solicitations',
    CASE WHEN d.send_before <= %(now)s THEN 'expired' ELSE 'planned' END,
    %(run_day)s, %(run_day)s, d.send_before,
    CASE WHEN d.send_before <= %(now)s
         THEN 'expired: Amazon''s review window closed ' || to_char(d.send_before, 'YYYY-MM-DD HH24:MI TZ')
    END
FROM due d
WHERE d.send_after < %(day_end)s
  AND d.send_before >= %(day_start)s
ON CONFLICT (account_id, amazon_order_id, kind) DO NOTHING
RETURNING status
