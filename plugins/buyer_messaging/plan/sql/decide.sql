-- What the planner records for a kind's candidates (its plan/sql/<kind>.sql SELECT of
-- marketplace_id, amazon_order_id, event, send_after, send_before, excluded): planned; skipped
-- when the active policy pack forbids the kind, when the candidate is excluded (`excluded` holds
-- the reason) or the buyer is suppressed; expired when it is due on a past day but too stale to
-- send now. `due_on` is the day it fell due in the account's time zone, so backfilling days in
-- any order gives the same outbox. insert_outbox.sql inserts these rows; `buyer-messaging
-- explain` reads them for one order (`order_id`), so both answer from this one statement.
WITH candidates AS ({candidates})
SELECT c.marketplace_id, c.amazon_order_id, c.event,
       CASE WHEN %(forbidden)s::text IS NOT NULL THEN 'skipped'
            WHEN c.excluded IS NOT NULL THEN 'skipped'
            WHEN s.reason IS NOT NULL THEN 'skipped'
            WHEN c.send_before <= %(now)s THEN 'expired'
            ELSE 'planned' END                            AS status,
       (c.send_after AT TIME ZONE %(tz)s)::date           AS due_on,
       c.send_before,
       CASE WHEN %(forbidden)s::text IS NOT NULL THEN %(forbidden)s::text
            WHEN c.excluded IS NOT NULL THEN 'excluded: ' || c.excluded
            WHEN s.reason IS NOT NULL THEN 'suppressed: ' || s.reason
            WHEN c.send_before <= %(now)s
            THEN 'expired: too stale to send after ' || to_char(c.send_before AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
       END                                                AS reason
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
  AND (%(order_id)s::text IS NULL OR c.amazon_order_id = %(order_id)s)
