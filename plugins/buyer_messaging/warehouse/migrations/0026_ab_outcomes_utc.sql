-- reporting.ab_outcomes took a sent message's day as `sent_at::date`, which is the day in the
-- reading session's TimeZone: two BI tools in different time zones counted different feedback.
-- The day is now the UTC day, as the coverage and outcome views of 0018 take it. Same columns.
CREATE OR REPLACE VIEW reporting.ab_outcomes AS
SELECT m.account_id,
       m.ab_test,
       m.kind,
       m.variant,
       count(*)                                                         AS sent,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM staging.seller_feedback f
           WHERE f.account_id = m.account_id AND f.amazon_order_id = m.amazon_order_id
             AND f.rating <= 2
             AND f.feedback_date BETWEEN (m.sent_at AT TIME ZONE 'UTC')::date
                                     AND (m.sent_at AT TIME ZONE 'UTC')::date + 60))  AS negative_feedback,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM staging.seller_feedback f
           WHERE f.account_id = m.account_id AND f.amazon_order_id = m.amazon_order_id
             AND f.rating <= 3
             AND f.feedback_date BETWEEN (m.sent_at AT TIME ZONE 'UTC')::date
                                     AND (m.sent_at AT TIME ZONE 'UTC')::date + 60))  AS negative_or_neutral_feedback,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM staging.returns r
           WHERE r.account_id = m.account_id AND r.amazon_order_id = m.amazon_order_id
             AND r.return_request_date >= m.sent_at))                         AS returned_after,
       min(m.sent_at)                                                   AS first_sent_at,
       max(m.sent_at)                                                   AS last_sent_at
FROM messaging.outbox m
WHERE m.ab_test IS NOT NULL AND m.status = 'sent'
GROUP BY m.account_id, m.ab_test, m.kind, m.variant;

COMMENT ON VIEW reporting.ab_outcomes IS
    'Per A/B test, kind and variant: messages sent, and of those the orders that got a 1-2 star '
    '(negative_feedback) or 1-3 star (negative_or_neutral_feedback) seller rating dated within '
    '60 days of the send''s UTC day, and the orders returned after the send.';
