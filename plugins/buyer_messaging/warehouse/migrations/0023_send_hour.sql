-- Send time of day: an account (`send_hour` in the accounts file) or an A/B test variant holds a
-- non-critical message until a local hour. The planner stores the moment; a claim skips a row
-- until then, and the run's send task waits for it (rescheduled, holding no worker slot).
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS send_not_before timestamptz;

-- reporting.message_log is a public contract: columns are only added, after the current ones.
DO $$
DECLARE
    def text := pg_get_viewdef('reporting.message_log'::regclass, true);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'reporting' AND table_name = 'message_log'
                     AND column_name = 'send_not_before') THEN
        EXECUTE 'CREATE OR REPLACE VIEW reporting.message_log AS '
            || regexp_replace(def, '\s+FROM\s+messaging\.outbox\s+o\M',
                              E',\n    o.send_not_before\n   FROM messaging.outbox o');
    END IF;
END $$;
