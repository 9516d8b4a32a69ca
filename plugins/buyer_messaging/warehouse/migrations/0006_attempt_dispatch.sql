-- When the request of an attempt left for Amazon or the relay. A `sending` row whose attempt
-- was never dispatched certainly went nowhere and is simply sent again after a crash.
ALTER TABLE messaging.attempts ADD COLUMN IF NOT EXISTS dispatched_at timestamptz;
ALTER TABLE messaging.attempts ADD COLUMN IF NOT EXISTS message_id text;
