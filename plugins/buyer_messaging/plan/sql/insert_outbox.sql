-- The day's rows for a kind into the outbox (decide.sql says which and with what status), at
-- most one per (account, order, kind, event), ever.
INSERT INTO messaging.outbox
    (account_id, marketplace_id, amazon_order_id, kind, event, channel, status, planned_for, due_on,
     send_before, reason, ab_test, variant, send_not_before)
SELECT %(account_id)s, d.marketplace_id, d.amazon_order_id, %(kind)s, d.event, %(channel)s, d.status,
       d.due_on, d.due_on, d.send_before, d.reason, d.ab_test, d.variant,
       CASE WHEN d.status = 'planned' THEN d.send_not_before END  -- only what will be sent is held
FROM ({decide}) d
ON CONFLICT (account_id, amazon_order_id, kind, event) DO NOTHING
RETURNING status
