-- Review requests due on the run's day. Amazon offers the solicitation from 5 days after
-- EarliestDeliveryDate to 30 days after LatestDeliveryDate (it checks that window itself);
-- `delay_days` starts it later inside the window. Only shipped, unquarantined orders that
-- have had no other proactive message (one per order); cancelled and returned orders are
-- recorded as skipped with the reason, so reporting counts them.
-- An ASIN may have its own delay (timing.yaml `by_asin`, e.g. a product that takes weeks to
-- use): an order waits for the longest delay among its items.
SELECT o.marketplace_id,
       o.amazon_order_id,
       'default'                                                   AS event,
       CASE WHEN o.order_status = 'Canceled' THEN 'the order was cancelled'
            WHEN EXISTS (SELECT 1 FROM staging.returns r
                         WHERE r.account_id = o.account_id AND r.amazon_order_id = o.amazon_order_id)
            THEN 'the order was returned'
       END                                                         AS excluded,
       o.earliest_delivery_date + make_interval(days => 5 + coalesce(ad.delay_days, %(delay_days)s)) AS send_after,
       o.latest_delivery_date + interval '30 days'                           AS send_before
FROM staging.orders o
LEFT JOIN LATERAL (
    SELECT max(a.delay_days) AS delay_days
    FROM staging.order_items i
    JOIN unnest(%(override_asins)s::text[], %(override_delays)s::int[]) AS a(asin, delay_days) ON a.asin = i.asin
    WHERE cardinality(%(override_asins)s::text[]) > 0
      AND i.account_id = o.account_id AND i.amazon_order_id = o.amazon_order_id
) ad ON true
WHERE o.account_id = %(account_id)s
  AND o.order_status IN ('Shipped', 'Canceled')
  AND NOT o.quarantined
  AND o.earliest_delivery_date IS NOT NULL
  AND o.latest_delivery_date IS NOT NULL
  AND o.earliest_delivery_date + make_interval(days => 5 + coalesce(ad.delay_days, %(delay_days)s)) < %(day_end)s
  AND o.latest_delivery_date + interval '30 days' >= %(day_start)s
  AND NOT EXISTS (
      SELECT 1 FROM messaging.outbox x
      WHERE x.account_id = o.account_id AND x.amazon_order_id = o.amazon_order_id
        AND x.kind = 'product_info' AND x.status NOT IN ('skipped', 'expired', 'blocked', 'failed'))
  -- explain, replaying the days of one order, says when an earlier day took its one message
  AND NOT %(proactive_taken)s::boolean
