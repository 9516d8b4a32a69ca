-- What the planner records for a kind's candidates (its plan/sql/<kind>.sql SELECT of
-- marketplace_id, amazon_order_id, event, send_after, send_before, excluded, and optionally
-- expired_because): planned; skipped
-- when the active policy pack forbids the kind, when the candidate is excluded (by the kind's
-- own rule, `excluded`, or the seller's exclusions), the buyer is suppressed or a negative
-- signal opened a case; expired when it is due on a past day but too stale to
-- send now. `due_on` is the day it fell due in the account's time zone, so backfilling days in
-- any order gives the same outbox. insert_outbox.sql inserts these rows; `buyer-messaging
-- explain` reads them for one order (`order_id`), so both answer from this one statement.
WITH candidates AS ({candidates})
SELECT c.marketplace_id, c.amazon_order_id, c.event,
       CASE WHEN %(forbidden)s::text IS NOT NULL THEN 'skipped'
            WHEN coalesce(c.excluded, x.reason) IS NOT NULL THEN 'skipped'
            WHEN s.reason IS NOT NULL THEN 'skipped'
            WHEN c.send_before <= %(now)s THEN 'expired'
            ELSE 'planned' END                            AS status,
       ((c.send_after + v.delay) AT TIME ZONE %(tz)s)::date AS due_on,
       c.send_before,
       CASE WHEN %(forbidden)s::text IS NOT NULL THEN %(forbidden)s::text
            WHEN coalesce(c.excluded, x.reason) IS NOT NULL THEN 'excluded: ' || coalesce(c.excluded, x.reason)
            WHEN s.reason IS NOT NULL THEN s.reason
            -- a kind may say why it let a candidate go stale (an optional `expired_because`
            -- column: unavailability_notice's cancellations whose requester never came)
            WHEN c.send_before <= %(now)s
            THEN 'expired: ' || coalesce(to_jsonb(c) ->> 'expired_because', 'too stale to send after '
                 || to_char(c.send_before AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'))
       END                                                AS reason,
       v.ab_test,
       v.variant,
       hold.send_not_before
FROM candidates c
-- the kind's A/B test (include/policies/ab_tests.yaml): the order's variant from a stable hash
-- of (test id, order id), so a re-run or a backfill assigns it the same one; a timing variant
-- moves the day the message falls due
LEFT JOIN LATERAL (
    SELECT t.name, t.delay, t.hour
    FROM unnest(%(ab_names)s::text[], %(ab_bounds)s::int[], %(ab_delays)s::int[], %(ab_hours)s::int[])
         AS t(name, bound, delay, hour)
    WHERE t.bound > ('x' || substr(md5(%(ab_test)s::text || ':' || c.amazon_order_id), 1, 8))::bit(32)::bigint %% 10000
    ORDER BY t.bound
    LIMIT 1
) pick ON true
CROSS JOIN LATERAL (
    SELECT %(ab_test)s::text AS ab_test, pick.name AS variant,
           make_interval(days => coalesce(pick.delay, 0)) AS delay,
           coalesce(pick.hour, %(send_hour)s::int) AS send_hour
) v
-- send time of day (the variant's hour, else the account's; never for a critical kind): held
-- until that local hour of the day it can first go out (the later of due and now), unless that
-- hour has passed on that day or would miss Amazon's window. A run after midnight so holds the
-- day's messages until the morning, and one that starts late sends at once.
LEFT JOIN LATERAL (
    SELECT CASE WHEN h.at > greatest(c.send_after + v.delay, %(now)s)
                     AND (c.send_before IS NULL OR h.at < c.send_before)
                THEN h.at END AS send_not_before
    FROM (SELECT (date_trunc('day', greatest(c.send_after + v.delay, %(now)s) AT TIME ZONE %(tz)s)
                  + make_interval(hours => v.send_hour)) AT TIME ZONE %(tz)s AS at) h
    WHERE v.send_hour IS NOT NULL AND NOT %(critical)s
) hold ON true
-- the seller's exclusions (include/policies/exclusions.yaml; `excl_*` are empty or false for a
-- kind a rule does not cover): the first that holds is the reason
LEFT JOIN LATERAL (
    SELECT CASE
        WHEN o.amazon_order_id = ANY(%(excl_orders)s::text[])
        THEN 'the order is on the do-not-contact list'
        WHEN cardinality(%(excl_asins)s::text[]) + cardinality(%(excl_skus)s::text[]) > 0
             AND EXISTS (SELECT 1 FROM staging.order_items i
                         WHERE i.account_id = o.account_id AND i.amazon_order_id = o.amazon_order_id
                           AND (i.asin = ANY(%(excl_asins)s::text[]) OR i.seller_sku = ANY(%(excl_skus)s::text[])))
        THEN 'a product of the order is on the exclude list'
        -- shipped after LatestShipDate: the last package's ship time (2026-01-01), else the last
        -- update of a shipped merchant-fulfilled order (v0 gives no ship time; Amazon ships FBA)
        WHEN %(excl_late)s AND o.latest_ship_date < coalesce(
                 (SELECT max(sh.ship_date) FROM staging.shipments sh
                  WHERE sh.account_id = o.account_id AND sh.amazon_order_id = o.amazon_order_id),
                 CASE WHEN o.order_status = 'Shipped' AND o.fulfillment_channel IS DISTINCT FROM 'AFN'
                      THEN o.last_update_date END)
        THEN 'shipped late, after its latest ship date ' || to_char(o.latest_ship_date AT TIME ZONE %(tz)s, 'YYYY-MM-DD')
        WHEN %(excl_repeat_days)s > 0 AND o.buyer_hash IS NOT NULL
             AND EXISTS (SELECT 1 FROM staging.orders e
                         WHERE e.account_id = o.account_id AND e.buyer_hash = o.buyer_hash
                           AND e.purchase_date < o.purchase_date
                           AND e.purchase_date >= o.purchase_date - make_interval(days => %(excl_repeat_days)s))
        THEN 'repeat buyer (an earlier order within ' || %(excl_repeat_days)s || ' days)'
    END AS reason
    FROM staging.orders o
    WHERE o.account_id = %(account_id)s AND o.amazon_order_id = c.amazon_order_id
) x ON true
-- a suppressed buyer (messaging.suppressions) gets critical kinds only (Amazon's rule for
-- buyers who opted out), and so does an order with an issue-resolution case (a negative
-- signal: messaging.cases) and every other order of that buyer, except the case's own
-- message (a kind that answers the signal); the others are recorded as skipped with the
-- reason, so explain and reporting can say why
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
WHERE c.send_after + v.delay <= %(now)s  -- a day still in progress plans only what is due already
  -- and a day plans only what fell due by its end (a timing variant's message, by its own day)
  AND c.send_after + v.delay < %(day_end)s
  AND (%(order_id)s::text IS NULL OR c.amazon_order_id = %(order_id)s)
  -- an order known only from the all-orders report (details_from, migration 0024) has no
  -- buyer, delivery window or LatestShipDate: a kind that applies suppressions, cases or
  -- repeat-buyer and late-shipment exclusions (`needs_listing`: every non-critical kind, and a
  -- critical one those exclusions cover) waits, unrecorded, for the listing to bring them, so
  -- no message reaches a buyer a rule would have stopped
  AND (NOT %(needs_listing)s OR EXISTS (
      SELECT 1 FROM staging.orders o
      WHERE o.account_id = %(account_id)s AND o.amazon_order_id = c.amazon_order_id
        AND o.details_from = 'orders_api'))
