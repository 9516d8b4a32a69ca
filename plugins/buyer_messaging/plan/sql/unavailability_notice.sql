-- Unavailability notices, one per (order, event), a critical message (opted-out buyers still
-- get it). Events:
--   cancelled            the order was cancelled during the run's day;
--   partially_cancelled  some units of an order that goes on were cancelled (Orders API
--                        2026-01-01 cancellation data), seen during the day;
--   delayed              LatestShipDate passed during the day with the order not shipped;
--                        or passed on an earlier day while the order was known only from the
--                        all-orders report (no LatestShipDate), whose details the listing
--                        brought during the day (details_listed_at, migration 0027) before
--                        that day's stale_after_days ran out.
-- So an order delayed one day and cancelled the next gets both, and never either twice.
-- Recorded as skipped, with the reason: cancellations the buyer asked for (they know, and
-- "we had to cancel" would be false), cancellations Amazon made, and Amazon-fulfilled (FBA)
-- orders, whose delays and cancellations Amazon handles and tells the buyer about itself.
WITH orders AS (
    SELECT o.marketplace_id, o.amazon_order_id, o.order_status, o.fulfillment_channel,
           o.last_update_date, o.latest_ship_date, o.details_listed_at,
           coalesce(x.units, 0) AS cancelled_units, coalesce(x.buyer_requested, false) AS buyer_requested,
           coalesce(x.by_amazon, false) AS by_amazon
    FROM staging.orders o
    LEFT JOIN LATERAL (
        SELECT sum(c.quantity_cancelled) AS units,
               bool_or(c.buyer_requested AND c.quantity_cancelled > 0) AS buyer_requested,
               bool_or(c.cancelled_by = 'AMAZON' AND c.quantity_cancelled > 0) AS by_amazon
        FROM staging.order_item_cancellations c
        WHERE c.account_id = o.account_id AND c.amazon_order_id = o.amazon_order_id
    ) x ON true
    WHERE o.account_id = %(account_id)s
      AND NOT o.quarantined
      AND ((o.last_update_date >= %(day_start)s AND o.last_update_date < %(day_end)s)
           OR (o.latest_ship_date >= %(day_start)s AND o.latest_ship_date < %(day_end)s)
           OR (o.details_listed_at >= %(day_start)s AND o.details_listed_at < %(day_end)s))
), late AS (
    -- a LatestShipDate the report did not carry, passed before the day its details arrived:
    -- too stale at the end of its local day plus stale_after_days
    SELECT o.*, (date_trunc('day', o.latest_ship_date AT TIME ZONE %(tz)s) + interval '1 day')
                AT TIME ZONE %(tz)s + make_interval(days => %(stale_after_days)s) AS stale_at
    FROM orders o
    WHERE o.details_listed_at >= %(day_start)s AND o.details_listed_at < %(day_end)s
      AND o.latest_ship_date < %(day_start)s
), events AS (
    SELECT o.*, 'cancelled' AS event, o.last_update_date AS send_after
    FROM orders o
    WHERE o.order_status = 'Canceled'
      AND o.last_update_date >= %(day_start)s AND o.last_update_date < %(day_end)s
    UNION ALL
    SELECT o.*, 'partially_cancelled', o.last_update_date
    FROM orders o
    WHERE o.order_status <> 'Canceled' AND o.cancelled_units > 0
      AND o.last_update_date >= %(day_start)s AND o.last_update_date < %(day_end)s
    UNION ALL
    SELECT o.*, 'delayed', o.latest_ship_date
    FROM orders o
    WHERE o.order_status IN ('Unshipped', 'PartiallyShipped')
      AND o.latest_ship_date >= %(day_start)s AND o.latest_ship_date < %(day_end)s
    UNION ALL
    SELECT o.marketplace_id, o.amazon_order_id, o.order_status, o.fulfillment_channel,
           o.last_update_date, o.latest_ship_date, o.details_listed_at, o.cancelled_units,
           o.buyer_requested, o.by_amazon, 'delayed', o.latest_ship_date
    FROM late o
    WHERE o.order_status IN ('Unshipped', 'PartiallyShipped') AND o.details_listed_at < o.stale_at
)
SELECT e.marketplace_id,
       e.amazon_order_id,
       e.event,
       CASE WHEN e.fulfillment_channel = 'AFN' THEN 'fulfilled by Amazon, which informs the buyer itself'
            WHEN e.event <> 'delayed' AND e.buyer_requested THEN 'the buyer asked for the cancellation'
            WHEN e.event <> 'delayed' AND e.by_amazon THEN 'cancelled by Amazon, which informs the buyer itself'
       END                                                                     AS excluded,
       e.send_after,
       CASE WHEN e.event = 'delayed' AND e.latest_ship_date < %(day_start)s
            THEN (date_trunc('day', e.latest_ship_date AT TIME ZONE %(tz)s) + interval '1 day')
                 AT TIME ZONE %(tz)s
            ELSE %(day_end)s::timestamptz
       END + make_interval(days => %(stale_after_days)s)                      AS send_before
FROM events e
