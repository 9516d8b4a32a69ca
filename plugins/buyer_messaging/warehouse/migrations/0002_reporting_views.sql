-- Public reporting contract (BI tools read these): keep columns stable, add only.
CREATE OR REPLACE VIEW reporting.message_log AS
SELECT
    o.id                                   AS message_id,
    o.account_id,
    o.marketplace_id,
    o.amazon_order_id,
    o.kind,
    o.channel,
    CASE
        WHEN o.status IN ('planned', 'ready', 'sending', 'failed_retryable') THEN 'planned'
        ELSE o.status
    END                                    AS status,
    o.due_on,
    o.sent_at,
    o.violation_codes,
    COALESCE(o.error, o.reason)            AS error,
    o.planned_for,
    o.status                               AS outbox_status,
    o.attempts
FROM messaging.outbox o;

CREATE OR REPLACE VIEW reporting.daily_summary AS
SELECT
    account_id,
    marketplace_id,
    planned_for AS day,
    kind,
    status,
    count(*)::integer AS messages
FROM reporting.message_log
GROUP BY account_id, marketplace_id, planned_for, kind, status;
