-- A/B tests (include/policies/ab_tests.yaml): the test and variant an outbox row was assigned
-- (a stable hash of test id and order id, so a re-run or a backfill never changes it).
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS ab_test text;
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS variant text;
CREATE INDEX IF NOT EXISTS outbox_ab_test_idx ON messaging.outbox (account_id, ab_test, variant)
    WHERE ab_test IS NOT NULL;

-- reporting.message_log is a public contract: columns are only added, after the current ones.
DO $$
DECLARE
    def text := pg_get_viewdef('reporting.message_log'::regclass, true);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'reporting' AND table_name = 'message_log' AND column_name = 'variant') THEN
        EXECUTE 'CREATE OR REPLACE VIEW reporting.message_log AS '
            || regexp_replace(def, '\s+FROM\s+messaging\.outbox\s+o\M',
                              E',\n    o.ab_test,\n    o.variant\n   FROM messaging.outbox o');
    END IF;
END $$;

-- Outcomes per test and variant: of the messages sent, how many orders then got a negative
-- (1-2 star) or a negative-or-neutral (1-3 star) seller rating within 60 days, and how many
-- were returned after the message. `buyer-messaging ab-report` turns these counts into rates
-- with confidence intervals.
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
             AND f.feedback_date BETWEEN m.sent_at::date AND m.sent_at::date + 60))  AS negative_feedback,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM staging.seller_feedback f
           WHERE f.account_id = m.account_id AND f.amazon_order_id = m.amazon_order_id
             AND f.rating <= 3
             AND f.feedback_date BETWEEN m.sent_at::date AND m.sent_at::date + 60))  AS negative_or_neutral_feedback,
       count(*) FILTER (WHERE EXISTS (
           SELECT 1 FROM staging.returns r
           WHERE r.account_id = m.account_id AND r.amazon_order_id = m.amazon_order_id
             AND r.return_request_date >= m.sent_at))                         AS returned_after,
       min(m.sent_at)                                                   AS first_sent_at,
       max(m.sent_at)                                                   AS last_sent_at
FROM messaging.outbox m
WHERE m.ab_test IS NOT NULL AND m.status = 'sent'
GROUP BY m.account_id, m.ab_test, m.kind, m.variant;
