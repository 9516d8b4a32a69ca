-- Wraps a kind's candidates (its plan/sql/<kind>.sql SELECT) into outbox rows, at most one per
-- (account, order, kind), ever: planned; skipped when the active policy pack forbids the
-- kind; expired when it is due on a past day but too stale to send now. `due_on` (and
-- `planned_for`) is the day it fell due in the account's time zone, so backfilling days in
-- any order gives the same outbox.
WITH candidates AS ({candidates})
INSERT INTO messaging.outbox
    (account_id, marketplace_id, amazon_order_id, kind, channel, status, planned_for, due_on,
     send_before, reason)
SELECT %(account_id)s, c.marketplace_id, c.amazon_order_id, %(kind)s, %(channel)s,
       CASE WHEN %(forbidden)s::text IS NOT NULL THEN 'skipped'
            WHEN s.reason IS NOT NULL THEN 'skipped'
            WHEN c.send_before <= %(now)s THEN 'expired'
            ELSE 'planned' END,
       (c.send_after AT TIME ZONE %(tz)s)::date,
       (c.send_after AT TIME ZONE %(tz)s)::date,
       c.send_before,
       CASE WHEN %(forbidden)s::text IS NOT NULL THEN %(forbidden)s::text
            WHEN s.reason IS NOT NULL THEN s.reason
            WHEN c.send_before <= %(now)s
            THEN 'expired: too stale to send after ' || to_char(c.send_before AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
       END
FROM candidates c
-- a suppressed buyer (messaging.suppressions) gets critical kinds only (Amazon's rule for
-- buyers who opted out), and so does an order with an issue-resolution case (a negative
-- signal: messaging.cases) and every other order of that buyer; the others are recorded as
-- skipped with the reason, so explain and reporting can say why
LEFT JOIN LATERAL (
    SELECT why.reason FROM (
        SELECT 'suppressed: ' || sp.reason AS reason, 1 AS rank
        FROM staging.orders o
        JOIN messaging.suppressions sp ON sp.account_id = o.account_id AND sp.buyer_hash = o.buyer_hash
        WHERE o.account_id = %(account_id)s AND o.amazon_order_id = c.amazon_order_id
        UNION ALL
        SELECT 'negative signal: ' || cs.signal || ' (case ' || cs.id || ')', 2
        FROM messaging.cases cs
        WHERE cs.account_id = %(account_id)s AND cs.amazon_order_id = c.amazon_order_id
        UNION ALL
        SELECT 'negative signal: ' || cs.signal || ' on another order of this buyer (case ' || cs.id || ')', 3
        FROM staging.orders o
        JOIN messaging.cases cs ON cs.account_id = o.account_id AND cs.buyer_hash = o.buyer_hash
        WHERE o.account_id = %(account_id)s AND o.amazon_order_id = c.amazon_order_id
    ) why
    WHERE NOT %(critical)s AND NOT (why.rank > 1 AND %(answers_signal)s)
    ORDER BY why.rank
    LIMIT 1
) s ON true
WHERE c.send_after <= %(now)s  -- a day still in progress plans only what is due already
ON CONFLICT (account_id, amazon_order_id, kind) DO NOTHING
RETURNING status
