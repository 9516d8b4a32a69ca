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
-- Who cancelled: the all-orders report says Cancelled but not who asked; the requester is on
-- the Orders API's items only (v0 BuyerRequestedCancel, 2026-01-01 cancellation). A merchant-
-- fulfilled report-first order whose items are still the report's lines (`requester_unknown`)
-- waits, unrecorded, for them (list_order_details fetches them first): its cancellation is
-- planned on the day they arrive (items_listed_at, migration 0029) while within
-- stale_after_days of its own day, or recorded as expired, saying why, on the day it goes stale.
-- Recorded as skipped, with the reason: cancellations the buyer asked for (they know, and
-- "we had to cancel" would be false), cancellations Amazon made, and Amazon-fulfilled (FBA)
-- orders, whose delays and cancellations Amazon handles and tells the buyer about itself.
WITH orders AS (
    SELECT o.marketplace_id, o.amazon_order_id, o.order_status, o.fulfillment_channel,
           o.last_update_date, o.latest_ship_date, o.details_listed_at, o.items_listed_at,
           coalesce(x.units, 0) AS cancelled_units, coalesce(x.buyer_requested, false) AS buyer_requested,
           coalesce(x.by_amazon, false) AS by_amazon,
           (o.fulfillment_channel IS DISTINCT FROM 'AFN'
            AND (o.details_from = 'report' OR o.details_listed_at IS NOT NULL)
            AND EXISTS (SELECT 1 FROM staging.order_items i
                        WHERE i.account_id = o.account_id AND i.amazon_order_id = o.amazon_order_id
                          AND i.raw ->> 'source' = 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL'
                          AND (o.order_status = 'Canceled' OR i.raw ->> 'item-status' = 'Cancelled'))
           ) AS requester_unknown,
           -- a cancellation's notice is too stale at the end of its local day plus stale_after_days
           (date_trunc('day', o.last_update_date AT TIME ZONE %(tz)s) + interval '1 day')
           AT TIME ZONE %(tz)s + make_interval(days => %(stale_after_days)s) AS cancel_stale_at
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
           OR (o.details_listed_at >= %(day_start)s AND o.details_listed_at < %(day_end)s)
           OR (o.items_listed_at >= %(day_start)s AND o.items_listed_at < %(day_end)s)
           -- a report-first merchant-fulfilled cancellation of the last days, whose notice may
           -- go stale during the day while who cancelled is still unknown
           OR (o.last_update_date < %(day_start)s
               AND o.last_update_date >= %(day_start)s - make_interval(days => %(stale_after_days)s + 2)
               AND o.fulfillment_channel IS DISTINCT FROM 'AFN'
               AND (o.details_from = 'report' OR o.details_listed_at IS NOT NULL)
               AND EXISTS (SELECT 1 FROM staging.order_items i
                           WHERE i.account_id = o.account_id AND i.amazon_order_id = o.amazon_order_id
                             AND i.raw ->> 'source' = 'GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL'
                             AND (o.order_status = 'Canceled' OR i.raw ->> 'item-status' = 'Cancelled'))))
), late AS (
    -- a LatestShipDate the report did not carry, passed before the day its details arrived:
    -- too stale at the end of its local day plus stale_after_days
    SELECT o.*, (date_trunc('day', o.latest_ship_date AT TIME ZONE %(tz)s) + interval '1 day')
                AT TIME ZONE %(tz)s + make_interval(days => %(stale_after_days)s) AS stale_at
    FROM orders o
    WHERE o.details_listed_at >= %(day_start)s AND o.details_listed_at < %(day_end)s
      AND o.latest_ship_date < %(day_start)s
), cancellations AS (
    SELECT o.*, CASE WHEN o.order_status = 'Canceled' THEN 'cancelled' ELSE 'partially_cancelled' END AS event
    FROM orders o
    WHERE o.order_status = 'Canceled' OR o.cancelled_units > 0
), events AS (
    -- seen during the day, or (who cancelled being unknown then) its requester brought during it
    SELECT o.*, o.last_update_date AS send_after, NULL::text AS expired_because
    FROM cancellations o
    WHERE NOT o.requester_unknown
      AND ((o.last_update_date >= %(day_start)s AND o.last_update_date < %(day_end)s)
           OR (o.items_listed_at >= %(day_start)s AND o.items_listed_at < %(day_end)s
               AND o.last_update_date < %(day_start)s))
    UNION ALL
    -- who cancelled still unknown when the notice went stale: recorded as expired, saying why
    SELECT o.*, o.last_update_date,
           'who cancelled was not known in time: the Orders API had not brought the order''s items by '
           || to_char(o.cancel_stale_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
    FROM cancellations o
    WHERE o.requester_unknown
      AND o.cancel_stale_at >= %(day_start)s AND o.cancel_stale_at < %(day_end)s
      AND o.cancel_stale_at <= %(now)s
    UNION ALL
    SELECT o.*, 'delayed', o.latest_ship_date, NULL
    FROM orders o
    WHERE o.order_status IN ('Unshipped', 'PartiallyShipped')
      AND o.latest_ship_date >= %(day_start)s AND o.latest_ship_date < %(day_end)s
    UNION ALL
    SELECT o.marketplace_id, o.amazon_order_id, o.order_status, o.fulfillment_channel,
           o.last_update_date, o.latest_ship_date, o.details_listed_at, o.items_listed_at,
           o.cancelled_units, o.buyer_requested, o.by_amazon, o.requester_unknown,
           o.cancel_stale_at, 'delayed', o.latest_ship_date, NULL
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
                 AT TIME ZONE %(tz)s + make_interval(days => %(stale_after_days)s)
            WHEN e.event <> 'delayed' AND e.last_update_date < %(day_start)s THEN e.cancel_stale_at
            ELSE %(day_end)s::timestamptz + make_interval(days => %(stale_after_days)s)
       END                                                                     AS send_before,
       e.expired_because
FROM events e
