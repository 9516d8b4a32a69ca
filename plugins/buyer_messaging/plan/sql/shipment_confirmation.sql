-- Shipment confirmations for orders that shipped during the run's day (v0 orders carry no
-- ship timestamp: the last update of a Shipped order is when it shipped). Too stale to send
-- `stale_after_days` after the day it shipped on ends. Not for FBA orders: Amazon ships them,
-- confirms them itself, and the seller has no carrier or tracking number to quote.
-- Also an order that shipped on an earlier day while it was known only from the all-orders
-- report (no buyer: decide.sql's needs_listing held it back) and whose details the listing
-- brought during the run's day (details_listed_at, migration 0027) before it was too stale;
-- the outbox's natural key keeps it to one message, whichever day plans it.
SELECT o.marketplace_id,
       o.amazon_order_id,
       'default'                                                   AS event,
       NULL::text                                                  AS excluded,
       o.last_update_date                                          AS send_after,
       d.stale_at                                                  AS send_before
FROM staging.orders o
CROSS JOIN LATERAL (
    SELECT CASE WHEN o.last_update_date >= %(day_start)s THEN %(day_end)s::timestamptz
                -- the end of the local day it shipped on
                ELSE (date_trunc('day', o.last_update_date AT TIME ZONE %(tz)s) + interval '1 day')
                     AT TIME ZONE %(tz)s
           END + make_interval(days => %(stale_after_days)s) AS stale_at
) d
WHERE o.account_id = %(account_id)s
  AND o.order_status IN ('Shipped', 'PartiallyShipped')
  AND o.fulfillment_channel IS DISTINCT FROM 'AFN'
  AND NOT o.quarantined
  AND ((o.last_update_date >= %(day_start)s AND o.last_update_date < %(day_end)s)
       OR (o.details_listed_at >= %(day_start)s AND o.details_listed_at < %(day_end)s
           AND o.last_update_date < %(day_start)s AND o.details_listed_at < d.stale_at))
