-- Issue #19 item 3 and issue #18: coverage (what each kind's candidates became, and why the
-- excluded ones were), outcomes after a message (feedback, returns) and the open
-- issue-resolution cases. Public reporting contract like 0002/0004: add columns, never rename.
--
-- ASIN: an order may hold several items. The *_by_asin views count an order once per distinct
-- ASIN of its items (staging.order_items), so a two-ASIN order counts once under each ASIN and
-- the sum over ASINs can exceed the number of orders; an order whose items are unknown counts
-- once under a NULL asin. The views without ASIN count each order once.

-- Why a skipped outbox row was skipped, as a short class (the reasons decide.sql and the send
-- stage write): the full text stays in messaging.outbox.reason / error.
CREATE OR REPLACE FUNCTION messaging.skip_class(status text, reason text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN status <> 'skipped' THEN NULL
        WHEN reason IS NULL THEN 'skipped_at_send'  -- Amazon said not eligible, or no address
        WHEN reason LIKE 'policy:%' THEN 'forbidden_by_policy'
        WHEN reason = 'excluded: the order was cancelled' THEN 'cancelled'
        WHEN reason = 'excluded: the order was returned' THEN 'returned'
        WHEN reason LIKE 'excluded: shipped late%' THEN 'shipped_late'
        WHEN reason = 'excluded: the order is on the do-not-contact list' THEN 'do_not_contact'
        WHEN reason = 'excluded: a product of the order is on the exclude list' THEN 'excluded_product'
        WHEN reason LIKE 'excluded: repeat buyer%' THEN 'repeat_buyer'
        WHEN reason = 'excluded: the buyer asked for the cancellation' THEN 'buyer_cancelled'
        WHEN reason LIKE 'excluded: fulfilled by Amazon%'
          OR reason LIKE 'excluded: cancelled by Amazon%' THEN 'amazon_informs_buyer'
        WHEN reason LIKE 'suppressed: %' THEN 'suppressed'
        WHEN reason LIKE 'negative signal: %' THEN 'negative_signal'
        ELSE 'other'
    END
$$;

-- The distinct ASINs of each order (NULL when staging holds no item of it).
CREATE OR REPLACE VIEW messaging.outbox_asins AS
SELECT o.*, a.asin
FROM messaging.outbox o
LEFT JOIN LATERAL (
    SELECT DISTINCT i.asin FROM staging.order_items i
    WHERE i.account_id = o.account_id AND i.amazon_order_id = o.amazon_order_id
) a ON true;

-- Coverage per order (reporting.coverage) and per ASIN (reporting.coverage_by_asin): one
-- column list for both.
DO $views$
DECLARE
    counts text := $cols$
    count(*)::integer                                                       AS candidates,
    (count(*) FILTER (WHERE o.status <> 'skipped'))::integer                AS eligible,
    (count(*) FILTER (WHERE o.status = 'skipped'))::integer                 AS excluded,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason) = 'cancelled'))::integer        AS excluded_cancelled,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason) = 'returned'))::integer         AS excluded_returned,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason) = 'shipped_late'))::integer     AS excluded_late,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason)
                      IN ('do_not_contact', 'excluded_product', 'repeat_buyer')))::integer            AS excluded_by_seller,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason)
                      IN ('buyer_cancelled', 'amazon_informs_buyer')))::integer                       AS excluded_buyer_informed,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason) = 'suppressed'))::integer       AS excluded_suppressed,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason) = 'negative_signal'))::integer  AS excluded_negative_signal,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason) = 'forbidden_by_policy'))::integer AS excluded_by_policy,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason) = 'skipped_at_send'))::integer  AS skipped_at_send,
    (count(*) FILTER (WHERE messaging.skip_class(o.status, o.reason) = 'other'))::integer            AS excluded_other,
    (count(*) FILTER (WHERE o.status IN ('planned', 'ready', 'sending', 'failed_retryable')))::integer AS pending,
    (count(*) FILTER (WHERE o.status = 'sent'))::integer                    AS sent,
    (count(*) FILTER (WHERE o.status = 'blocked'))::integer                 AS blocked,
    (count(*) FILTER (WHERE o.status = 'failed'))::integer                  AS failed,
    (count(*) FILTER (WHERE o.status = 'delivery_unknown'))::integer        AS delivery_unknown,
    (count(*) FILTER (WHERE o.status = 'expired'))::integer                 AS expired
$cols$;
BEGIN
    EXECUTE 'CREATE OR REPLACE VIEW reporting.coverage AS SELECT o.planned_for AS day, o.account_id,'
        || ' o.marketplace_id, o.kind,' || counts
        || ' FROM messaging.outbox o GROUP BY o.planned_for, o.account_id, o.marketplace_id, o.kind';
    EXECUTE 'CREATE OR REPLACE VIEW reporting.coverage_by_asin AS SELECT o.planned_for AS day, o.account_id,'
        || ' o.marketplace_id, o.kind, o.asin,' || counts
        || ' FROM messaging.outbox_asins o'
        || ' GROUP BY o.planned_for, o.account_id, o.marketplace_id, o.kind, o.asin';
END
$views$;

COMMENT ON VIEW reporting.coverage IS
'What each kind''s candidates became, per planned day (the run''s day, as in daily_summary), '
'account, marketplace and kind. A candidate is an outbox row: one per order (per order and '
'event for unavailability_notice). eligible = candidates not skipped; excluded = skipped, split '
'by reason class (messaging.skip_class; reporting.exclusions lists every class). pending: '
'planned, ready, sending or to be retried. Quarantined orders never become candidates: see '
'reporting.quarantined_orders. Per ASIN: reporting.coverage_by_asin.';

COMMENT ON VIEW reporting.coverage_by_asin IS
'reporting.coverage per ASIN as well: an order counts once under each distinct ASIN of its '
'items (NULL when staging holds none of its items), so sums over ASINs may exceed the orders; '
'for totals use reporting.coverage.';

CREATE OR REPLACE VIEW reporting.exclusions AS
SELECT
    o.planned_for                                   AS day,
    o.account_id,
    o.marketplace_id,
    o.kind,
    messaging.skip_class(o.status, o.reason)        AS reason_class,
    count(*)::integer                               AS candidates
FROM messaging.outbox o
WHERE o.status = 'skipped'
GROUP BY o.planned_for, o.account_id, o.marketplace_id, o.kind, messaging.skip_class(o.status, o.reason);

COMMENT ON VIEW reporting.exclusions IS
'Skipped candidates per planned day, account, marketplace, kind and reason class '
'(messaging.skip_class: cancelled, returned, shipped_late, do_not_contact, excluded_product, '
'repeat_buyer, buyer_cancelled, amazon_informs_buyer, suppressed, negative_signal, '
'forbidden_by_policy, skipped_at_send (Amazon or the relay refused it when sent), other).';

-- Orders validation quarantined: never planned from, so they have no outbox row (issue #18).
CREATE OR REPLACE VIEW reporting.quarantined_orders AS
SELECT
    (o.purchase_date AT TIME ZONE 'UTC')::date      AS day,
    o.account_id,
    o.marketplace_id,
    o.quarantine_reason                             AS reason,
    count(*)::integer                               AS orders
FROM staging.orders o
WHERE o.quarantined
GROUP BY (o.purchase_date AT TIME ZONE 'UTC')::date, o.account_id, o.marketplace_id, o.quarantine_reason;

COMMENT ON VIEW reporting.quarantined_orders IS
'Orders held back by data validation (staging.orders.quarantined) per purchase day (UTC), '
'account, marketplace and the failed expectations: no kind plans from them, so they are in no '
'other coverage view.';

CREATE OR REPLACE VIEW reporting.message_outcomes AS
SELECT
    (o.sent_at AT TIME ZONE 'UTC')::date            AS day,
    o.account_id,
    o.marketplace_id,
    o.kind,
    count(*)::integer                               AS sent,
    (count(*) FILTER (WHERE f.rating <= 2))::integer AS negative_feedback,
    (count(*) FILTER (WHERE f.rating = 3))::integer  AS neutral_feedback,
    (count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM staging.returns rt
        WHERE rt.account_id = o.account_id AND rt.amazon_order_id = o.amazon_order_id
          AND rt.return_request_date >= o.sent_at)))::integer AS returned_after,
    ((o.sent_at AT TIME ZONE 'UTC')::date + 60 < (now() AT TIME ZONE 'UTC')::date) AS feedback_window_closed
FROM messaging.outbox o
LEFT JOIN staging.seller_feedback f
       ON f.account_id = o.account_id AND f.amazon_order_id = o.amazon_order_id
      AND f.feedback_date BETWEEN (o.sent_at AT TIME ZONE 'UTC')::date
                              AND (o.sent_at AT TIME ZONE 'UTC')::date + 60
WHERE o.status = 'sent'
GROUP BY (o.sent_at AT TIME ZONE 'UTC')::date, o.account_id, o.marketplace_id, o.kind;

COMMENT ON VIEW reporting.message_outcomes IS
'Sent messages per day sent (UTC), account, marketplace and kind, and what followed: '
'negative_feedback (a 1-2 star seller rating of the order) and neutral_feedback (3 stars) dated '
'from the day sent to 60 days after it, inclusive (Amazon dates a rating by day only: one dated '
'the day of the message counts, one dated the day before does not); returned_after: a return '
'of the order requested at or after the moment sent. feedback_window_closed: the 60 days are '
'over, so that day''s figures are final. Per ASIN: reporting.message_outcomes_by_asin.';

CREATE OR REPLACE VIEW reporting.message_outcomes_by_asin AS
SELECT
    (o.sent_at AT TIME ZONE 'UTC')::date            AS day,
    o.account_id,
    o.marketplace_id,
    o.kind,
    o.asin,
    count(*)::integer                               AS sent,
    (count(*) FILTER (WHERE f.rating <= 2))::integer AS negative_feedback,
    (count(*) FILTER (WHERE f.rating = 3))::integer  AS neutral_feedback,
    (count(*) FILTER (WHERE r.order_returned))::integer AS returned_after,
    (count(*) FILTER (WHERE r.asin_returned))::integer  AS asin_returned_after,
    ((o.sent_at AT TIME ZONE 'UTC')::date + 60 < (now() AT TIME ZONE 'UTC')::date) AS feedback_window_closed
FROM messaging.outbox_asins o
LEFT JOIN staging.seller_feedback f
       ON f.account_id = o.account_id AND f.amazon_order_id = o.amazon_order_id
      AND f.feedback_date BETWEEN (o.sent_at AT TIME ZONE 'UTC')::date
                              AND (o.sent_at AT TIME ZONE 'UTC')::date + 60
LEFT JOIN LATERAL (
    SELECT true AS order_returned, bool_or(rt.asin IS NOT DISTINCT FROM o.asin) AS asin_returned
    FROM staging.returns rt
    WHERE rt.account_id = o.account_id AND rt.amazon_order_id = o.amazon_order_id
      AND rt.return_request_date >= o.sent_at
    HAVING count(*) > 0
) r ON true
WHERE o.status = 'sent'
GROUP BY (o.sent_at AT TIME ZONE 'UTC')::date, o.account_id, o.marketplace_id, o.kind, o.asin;

COMMENT ON VIEW reporting.message_outcomes_by_asin IS
'reporting.message_outcomes per ASIN as well, counted as in reporting.coverage_by_asin (a '
'rating is of the order: a two-ASIN order''s rating counts under both ASINs); '
'asin_returned_after: a return of this ASIN requested at or after the moment sent.';

CREATE OR REPLACE VIEW reporting.open_cases AS
SELECT
    c.id                                            AS case_id,
    c.account_id,
    o.marketplace_id,
    c.amazon_order_id,
    c.source,
    c.signal,
    c.signalled_on,
    c.opened_at,
    floor(extract(epoch FROM now() - c.opened_at) / 86400)::integer AS age_days,
    m.status                                        AS message_status
FROM messaging.cases c
LEFT JOIN staging.orders o ON o.account_id = c.account_id AND o.amazon_order_id = c.amazon_order_id
LEFT JOIN LATERAL (
    SELECT x.status FROM messaging.outbox x
    WHERE x.account_id = c.account_id AND x.amazon_order_id = c.amazon_order_id
      AND x.kind = 'issue_resolution'
    ORDER BY x.id DESC LIMIT 1
) m ON true
WHERE c.status = 'open';

COMMENT ON VIEW reporting.open_cases IS
'Open issue-resolution cases (messaging.cases): the kind of signal (source: feedback or return; '
'signal: what it was), when it was signalled and opened, age_days (whole days since opened) and '
'the status of the case''s issue_resolution message, if one was planned.';

-- reporting.message_outcomes picks the sent rows of an account and day range.
CREATE INDEX IF NOT EXISTS outbox_sent_day_idx
    ON messaging.outbox (account_id, ((sent_at AT TIME ZONE 'UTC')::date))
    WHERE status = 'sent';
