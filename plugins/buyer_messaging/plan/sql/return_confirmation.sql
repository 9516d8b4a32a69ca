-- Return confirmations: one per order, due when the last of its returned lines has arrived
-- back and a refund is recorded. The returns report carries no refund date; the seller
-- refunds on receipt, so the arrival of the last line is when it falls due. Returns data
-- arrives late (extraction re-reads a trailing window of the report), so a run plans every
-- confirmation whose sending window overlaps its day, with `due_on` the day of arrival: the
-- same outbox whichever run sees it first. Too stale `stale_after_days` after arrival.
WITH returned AS (
    SELECT r.amazon_order_id,
           max(r.return_delivery_date)                 AS received_at,
           bool_and(r.return_delivery_date IS NOT NULL) AS all_received,
           coalesce(sum(r.refunded_amount), 0)          AS refunded,
           bool_or(r.quarantined)                       AS quarantined
    FROM staging.returns r
    WHERE r.account_id = %(account_id)s
    GROUP BY r.amazon_order_id
)
SELECT o.marketplace_id,
       o.amazon_order_id,
       'default'                                                   AS event,
       NULL::text                                                  AS excluded,
       rt.received_at                                                      AS send_after,
       rt.received_at + make_interval(days => %(stale_after_days)s)        AS send_before
FROM returned rt
JOIN staging.orders o ON o.account_id = %(account_id)s AND o.amazon_order_id = rt.amazon_order_id
WHERE rt.all_received
  AND rt.refunded > 0
  AND NOT rt.quarantined  -- validation found a bad line: no confirmation quotes it
  AND NOT o.quarantined
  AND rt.received_at < %(day_end)s
  AND rt.received_at + make_interval(days => %(stale_after_days)s) >= %(day_start)s
