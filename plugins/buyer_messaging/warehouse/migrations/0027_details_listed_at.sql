-- The listing of a report-first account's orders, beside the pipeline (extract/source.py's
-- list_order_details, issue #21).
--
-- details_listed_at: when the listing brought the details (buyer, delivery window,
-- LatestShipDate, IsPrime) of an order staged before from the all-orders report alone
-- (details_from 'report' -> 'orders_api'). NULL for an order the listing staged first. The
-- planner reads it so a critical message that needed the details (a shipment confirmation, a
-- delay notice) is still planned on the day they arrive, while within the kind's
-- stale_after_days of the day it fell due (plan/sql/shipment_confirmation.sql,
-- unavailability_notice.sql); the outbox's natural key keeps it to one message.
ALTER TABLE staging.orders ADD COLUMN IF NOT EXISTS details_listed_at timestamptz;
CREATE INDEX IF NOT EXISTS orders_details_listed_idx ON staging.orders (account_id, details_listed_at)
    WHERE details_listed_at IS NOT NULL;

-- A report-first window is listed merchant-fulfilled orders first (they carry the critical
-- messages that need LatestShipDate), then Amazon-fulfilled ones, each pass its own query
-- (getOrders FulfillmentChannels, searchOrders fulfilledBy). channel: the pass the checkpoint's
-- NextToken belongs to (NULL: one pass over every channel, the ordinary listing);
-- pass_started: whether that pass committed a page (a NULL NextToken then means the pass is
-- done; before, that it has not begun).
ALTER TABLE staging.extract_checkpoints ADD COLUMN IF NOT EXISTS channel text;
ALTER TABLE staging.extract_checkpoints ADD COLUMN IF NOT EXISTS pass_started boolean;
UPDATE staging.extract_checkpoints SET pass_started = (next_token IS NOT NULL OR pages > 0)
WHERE pass_started IS NULL;
ALTER TABLE staging.extract_checkpoints ALTER COLUMN pass_started SET DEFAULT false;
ALTER TABLE staging.extract_checkpoints ALTER COLUMN pass_started SET NOT NULL;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'extract_checkpoints_channel_known') THEN
        ALTER TABLE staging.extract_checkpoints ADD CONSTRAINT extract_checkpoints_channel_known
            CHECK (channel IN ('MFN', 'AFN'));
    END IF;
END $$;
