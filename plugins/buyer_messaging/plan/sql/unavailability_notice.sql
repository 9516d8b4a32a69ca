-- Unavailability notices: orders cancelled during the run's day, and orders still not
-- shipped when their LatestShipDate passed during the day (a late shipment). A critical
-- message: opted-out buyers still get it.
SELECT o.marketplace_id,
       o.amazon_order_id,
       coalesce(o.latest_ship_date, o.last_update_date)            AS send_after,
       %(day_end)s::timestamptz + make_interval(days => %(stale_after_days)s) AS send_before
FROM staging.orders o
WHERE o.account_id = %(account_id)s
  AND NOT o.quarantined
  AND (
      (o.order_status = 'Canceled'
       AND o.last_update_date >= %(day_start)s AND o.last_update_date < %(day_end)s)
   OR (o.order_status IN ('Unshipped', 'PartiallyShipped')
       AND o.latest_ship_date >= %(day_start)s AND o.latest_ship_date < %(day_end)s)
  )
