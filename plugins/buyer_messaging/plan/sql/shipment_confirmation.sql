-- Shipment confirmations for orders that shipped during the run's day (v0 orders carry no
-- ship timestamp: the last update of a Shipped order is when it shipped). Too stale to send
-- `stale_after_days` after the day ends. Not for FBA orders: Amazon ships them, confirms them
-- itself, and the seller has no carrier or tracking number to quote.
SELECT o.marketplace_id,
       o.amazon_order_id,
       'default'                                                   AS event,
       NULL::text                                                  AS excluded,
       o.last_update_date                                          AS send_after,
       %(day_end)s::timestamptz + make_interval(days => %(stale_after_days)s) AS send_before
FROM staging.orders o
WHERE o.account_id = %(account_id)s
  AND o.order_status IN ('Shipped', 'PartiallyShipped')
  AND o.fulfillment_channel IS DISTINCT FROM 'AFN'
  AND NOT o.quarantined
  AND o.last_update_date >= %(day_start)s AND o.last_update_date < %(day_end)s
