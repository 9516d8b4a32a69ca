-- A kind may have several events for one order (an unavailability notice: delayed, then
-- cancelled): the outbox keeps at most one message per (account, order, kind, event), ever.
-- Rows from before carry the event 'default', as do kinds with a single event.
ALTER TABLE messaging.outbox ADD COLUMN IF NOT EXISTS event text NOT NULL DEFAULT 'default';

-- Unavailability notices planned before events existed: named after what the order was then
-- (a cancelled order's notice said "cancelled", any other said "delayed"), so the same event is
-- never planned again. An order delayed then cancelled before this migration keeps the older
-- notice only: one message too few, never one twice.
UPDATE messaging.outbox m
SET event = CASE WHEN o.order_status = 'Canceled' THEN 'cancelled' ELSE 'delayed' END
FROM staging.orders o
WHERE m.kind = 'unavailability_notice' AND m.event = 'default'
  AND o.account_id = m.account_id AND o.amazon_order_id = m.amazon_order_id;

ALTER TABLE messaging.outbox DROP CONSTRAINT IF EXISTS outbox_one_per_order_kind;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'outbox_one_per_order_kind_event') THEN
        ALTER TABLE messaging.outbox
            ADD CONSTRAINT outbox_one_per_order_kind_event UNIQUE (account_id, amazon_order_id, kind, event);
    END IF;
END $$;

-- reporting.message_log is a public contract: columns are only added. The view is extended
-- from its current definition (other migrations may have added columns of their own), with
-- `event` appended after them.
DO $$
DECLARE
    def text := pg_get_viewdef('reporting.message_log'::regclass, true);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_schema = 'reporting' AND table_name = 'message_log' AND column_name = 'event') THEN
        EXECUTE 'CREATE OR REPLACE VIEW reporting.message_log AS '
            || regexp_replace(def, '\s+FROM\s+messaging\.outbox\s+o\M', E',\n    o.event\n   FROM messaging.outbox o');
    END IF;
END $$;

-- What was cancelled in each order line, derived from the line as Amazon sent it (one
-- definition for the planner, the renderer and explain):
--   Orders API v0: a Canceled order cancels every unit; OrderItem.BuyerRequestedCancel
--     {IsBuyerRequestedCancel: "true"|"false", BuyerCancelReason} says the buyer asked for it
--     (ordersV0.json, BuyerRequestedCancel);
--   Orders API 2026-01-01: OrderItem.cancellation {cancellationRequest {requester, cancelReason},
--     cancellationExecution {cancelledBy: BUYER|MERCHANT|AMAZON, cancelReason}}; the units
--     cancelled are those neither fulfilled nor still to fulfil (ItemFulfillment quantities).
CREATE OR REPLACE VIEW staging.order_item_cancellations AS
SELECT i.account_id,
       i.amazon_order_id,
       i.order_item_id,
       CASE
           WHEN o.order_status = 'Canceled' THEN coalesce(i.quantity_ordered, 0)
           WHEN i.raw ? 'cancellation' THEN greatest(0,
               coalesce(i.quantity_ordered, 0)
               - CASE WHEN jsonb_typeof(i.raw #> '{fulfillment,quantityFulfilled}') = 'number'
                      THEN (i.raw #>> '{fulfillment,quantityFulfilled}')::numeric::int ELSE 0 END
               - CASE WHEN jsonb_typeof(i.raw #> '{fulfillment,quantityUnfulfilled}') = 'number'
                      THEN (i.raw #>> '{fulfillment,quantityUnfulfilled}')::numeric::int ELSE 0 END)
           ELSE 0
       END AS quantity_cancelled,
       coalesce(i.raw #>> '{BuyerRequestedCancel,IsBuyerRequestedCancel}' = 'true', false)
           OR coalesce(i.raw #>> '{cancellation,cancellationRequest,requester}' = 'BUYER', false)
           OR coalesce(i.raw #>> '{cancellation,cancellationExecution,cancelledBy}' = 'BUYER', false)
           AS buyer_requested,
       i.raw #>> '{cancellation,cancellationExecution,cancelledBy}' AS cancelled_by,
       coalesce(i.raw #>> '{cancellation,cancellationExecution,cancelReason}',
                i.raw #>> '{cancellation,cancellationRequest,cancelReason}',
                nullif(i.raw #>> '{BuyerRequestedCancel,BuyerCancelReason}', '')) AS cancel_reason
FROM staging.order_items i
JOIN staging.orders o ON o.account_id = i.account_id AND o.amazon_order_id = i.amazon_order_id;
