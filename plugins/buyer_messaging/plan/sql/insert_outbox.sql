-- Wraps a kind's candidates (its plan/sql/<kind>.sql SELECT of marketplace_id, amazon_order_id,
-- event, send_after, send_before, excluded) into outbox rows, at most one per (account, order,
-- kind, event), ever: planned; skipped when the active policy pack forbids the kind, when the
-- candidate is excluded (`excluded` holds the reason) or the buyer is suppressed; expired when it
-- is due on a past day but too stale to send now. `due_on` (and `planned_for`) is the day it
-- fell due in the account's time zone, so backfilling days in any order gives the same outbox.
WITH candidates AS ({candidates})
INSERT INTO messaging.outbox
    (account_id, marketplace_id, amazon_order_id, kind, event, channel, status, planned_for, due_on,
     send_before, reason)
SELECT %(account_id)s, c.marketplace_id, c.amazon_order_id, %(kind)s, c.event, %(channel)s,
       CASE WHEN %(forbidden)s::text IS NOT NULL THEN 'skipped'
            WHEN c.excluded IS NOT NULL THEN 'skipped'
            WHEN s.reason IS NOT NULL THEN 'skipped'
            WHEN c.send_before <= %(now)s THEN 'expired'
            ELSE 'planned' END,
       (c.send_after AT TIME ZONE %(tz)s)::date,
       (c.send_after AT TIME ZONE %(tz)s)::date,
       c.send_before,
       CASE WHEN %(forbidden)s::text IS NOT NULL THEN %(forbidden)s::text
            WHEN c.excluded IS NOT NULL THEN 'excluded: ' || c.excluded
            WHEN s.reason IS NOT NULL THEN 'suppressed: ' || s.reason
            WHEN c.send_before <= %(now)s
            THEN 'expired: too stale to send after ' || to_char(c.send_before AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
       END
FROM candidates c
-- a suppressed buyer (messaging.suppressions) gets critical kinds only (Amazon's rule for
-- buyers who opted out); the others are recorded as skipped, so explain can say why
LEFT JOIN LATERAL (
    SELECT sp.reason
    FROM staging.orders o
    JOIN messaging.suppressions sp ON sp.account_id = o.account_id AND sp.buyer_hash = o.buyer_hash
    WHERE NOT %(critical)s AND o.account_id = %(account_id)s AND o.amazon_order_id = c.amazon_order_id
) s ON true
WHERE c.send_after <= %(now)s  -- a day still in progress plans only what is due already
ON CONFLICT (account_id, amazon_order_id, kind, event) DO NOTHING
RETURNING status
