-- Issue #16: replies lost after Amazon or the relay processed a request.
--
-- `delivery_unknown`: the request may have arrived and the channel offers no read-back (Messaging
-- API critical types, the SMTP relay after DATA). Not `failed`: the buyer may well have the
-- message, and nothing may resend it blindly. An operator settles it (`buyer-messaging resolve`).
-- reporting.message_log passes the status through (it is in its documented set) and
-- reporting.daily_summary counts it per day and kind; no view changes shape.
ALTER TABLE messaging.outbox DROP CONSTRAINT IF EXISTS outbox_status_known;
ALTER TABLE messaging.outbox ADD CONSTRAINT outbox_status_known CHECK (status IN (
    'planned', 'ready', 'blocked', 'skipped', 'expired',
    'sending', 'sent', 'failed_retryable', 'failed', 'delivery_unknown'));

-- Rows a crashed sender left before this migration were recorded as failed/delivery_unknown.
UPDATE messaging.outbox o SET status = 'delivery_unknown', updated_at = now()
WHERE o.status = 'failed' AND EXISTS (
    SELECT 1 FROM messaging.attempts a
    WHERE a.outbox_id = o.id AND a.attempt_no = o.attempts AND a.outcome = 'delivery_unknown');

-- A sender's claim on a `sending` row expires: a sender that hangs (or whose host vanished while
-- Postgres still holds its session and advisory lock) is taken over once its lease runs out.
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS lease_until timestamptz;

-- Who settled a delivery_unknown row, when, and why (an operator's decision, never a guess).
CREATE TABLE IF NOT EXISTS messaging.resolutions (
    id            bigserial   PRIMARY KEY,
    outbox_id     bigint      NOT NULL REFERENCES messaging.outbox (id),
    decision      text        NOT NULL CHECK (decision IN ('delivered', 'requeued')),
    decided_by    text        NOT NULL,
    reason        text        NOT NULL,
    decided_at    timestamptz NOT NULL DEFAULT now(),
    from_status   text        NOT NULL
);
CREATE INDEX IF NOT EXISTS resolutions_outbox_idx ON messaging.resolutions (outbox_id);
