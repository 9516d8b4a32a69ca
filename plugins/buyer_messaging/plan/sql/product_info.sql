-- Product information (include/policies/product_info.yaml), for orders with a configured ASIN:
-- due `delay_days` (the ASIN's own, else the kind's) after the latest delivery date; Amazon
-- allows proactive messages within 30 days of delivery, and one proactive message or review
-- request per order: none once a review request is under way or sent, none for a returned,
-- cancelled or quarantined order.
WITH configured AS (
    SELECT * FROM unnest(%(asins)s::text[], %(asin_delays)s::int[]) AS a(asin, delay_days)
), due AS (
    SELECT o.marketplace_id, o.amazon_order_id,
           min(o.latest_delivery_date + make_interval(days => coalesce(c.delay_days, %(delay_days)s))) AS send_after,
           -- Amazon's 30 days after delivery, or the kind's own staleness when that is sooner
           least(min(o.latest_delivery_date) + interval '30 days',
                 min(o.latest_delivery_date + make_interval(days => coalesce(c.delay_days, %(delay_days)s)))
                 + make_interval(days => %(stale_after_days)s))                                        AS send_before
    FROM staging.orders o
    JOIN staging.order_items i ON i.account_id = o.account_id AND i.amazon_order_id = o.amazon_order_id
    JOIN configured c ON c.asin = i.asin
    WHERE o.account_id = %(account_id)s
      AND o.order_status = 'Shipped'
      AND NOT o.quarantined
      AND o.latest_delivery_date IS NOT NULL
    GROUP BY o.marketplace_id, o.amazon_order_id
)
SELECT d.marketplace_id, d.amazon_order_id, 'default' AS event, NULL::text AS excluded,
       d.send_after, d.send_before
FROM due d
WHERE d.send_after < %(day_end)s
  AND d.send_before >= %(day_start)s
  AND NOT EXISTS (
      SELECT 1 FROM messaging.outbox x
      WHERE x.account_id = %(account_id)s AND x.amazon_order_id = d.amazon_order_id
        AND x.kind = 'review_request' AND x.status NOT IN ('skipped', 'expired', 'blocked', 'failed'))
  -- explain, replaying the days of one order, says when an earlier day took its one message
  AND NOT %(proactive_taken)s::boolean
  AND NOT EXISTS (
      SELECT 1 FROM staging.returns r
      WHERE r.account_id = %(account_id)s AND r.amazon_order_id = d.amazon_order_id)
