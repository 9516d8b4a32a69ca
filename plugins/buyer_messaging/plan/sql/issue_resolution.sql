-- Issue resolution: one message per open case (messaging.cases: a negative rating or a
-- defective / not-as-described return), due on the local day of the signal and too stale
-- `stale_after_days` later, so a backfill or a late report expires it rather than writing to
-- the buyer weeks after the fact. A case the seller already closed gets no message.
SELECT o.marketplace_id,
       o.amazon_order_id,
       'default'                                                                           AS event,
       NULL::text                                                                          AS excluded,
       (cs.signalled_on::timestamp AT TIME ZONE %(tz)s)                                    AS send_after,
       (cs.signalled_on::timestamp AT TIME ZONE %(tz)s) + make_interval(days => %(stale_after_days)s) AS send_before
FROM messaging.cases cs
JOIN staging.orders o ON o.account_id = cs.account_id AND o.amazon_order_id = cs.amazon_order_id
WHERE cs.account_id = %(account_id)s
  AND cs.status = 'open'
  AND cs.signalled_on IS NOT NULL
  AND (cs.signalled_on::timestamp AT TIME ZONE %(tz)s) < %(day_end)s
  AND (cs.signalled_on::timestamp AT TIME ZONE %(tz)s) + make_interval(days => %(stale_after_days)s) >= %(day_start)s
