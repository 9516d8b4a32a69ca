-- When a rejected record was first seen. `seen_at` moves on every re-extraction (the upsert
-- sets it), so a purge keyed on it would keep a re-fetched record's raw buyer data forever;
-- the purge counts from first_seen_at, which the upsert never touches.
ALTER TABLE staging.rejected_records ADD COLUMN IF NOT EXISTS first_seen_at timestamptz;
UPDATE staging.rejected_records SET first_seen_at = seen_at WHERE first_seen_at IS NULL;
ALTER TABLE staging.rejected_records ALTER COLUMN first_seen_at SET DEFAULT now();
ALTER TABLE staging.rejected_records ALTER COLUMN first_seen_at SET NOT NULL;

-- Error texts stored before they were scrubbed at write time (buyer_messaging.redact): an
-- SMTP relay quoted the refused recipient's address. Same pattern and mark as redact.py.
UPDATE messaging.outbox
SET error = regexp_replace(error, '[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}', '[e-mail removed]', 'g')
WHERE error ~ '[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}';
UPDATE messaging.outbox
SET reason = regexp_replace(reason, '[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}', '[e-mail removed]', 'g')
WHERE reason ~ '[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}';
UPDATE messaging.attempts
SET error = regexp_replace(error, '[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}', '[e-mail removed]', 'g')
WHERE error ~ '[A-Za-z0-9._%+=-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}';
