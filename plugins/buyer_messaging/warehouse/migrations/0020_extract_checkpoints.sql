-- Extraction that resumes (extract/source.py, extract/items.py).
--
-- items_as_of: the order's last_update_date when its items were last staged (from
-- getOrderItems, the 2026-01-01 order itself, or the all-orders report). Items are fetched
-- again only when the order changed since, so a killed run re-fetches no order's items twice.
ALTER TABLE staging.orders ADD COLUMN IF NOT EXISTS items_as_of timestamptz;

-- Where an unfinished orders window stopped: the NextToken of the first page not yet
-- committed, written in the same transaction as the page before it. Deleted when the window's
-- run is recorded in staging.extract_runs.
CREATE TABLE IF NOT EXISTS staging.extract_checkpoints (
    account_id    text        NOT NULL,
    stream        text        NOT NULL,
    window_start  timestamptz NOT NULL,
    window_end    timestamptz NOT NULL,
    next_token    text,
    pages         integer     NOT NULL DEFAULT 0,
    orders        integer     NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, stream, window_start)
);

-- Item lines from GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL carry their own
-- `item-status`; `Cancelled` (the report's spelling) is a line cancelled inside an order that
-- may go on (../shared/amazon-report-formats.md): every unit of it counts as cancelled, so
-- partial cancellations are seen on Orders API v0 accounts too. The rest is 0014's definition.
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
           WHEN i.raw ->> 'item-status' = 'Cancelled' THEN coalesce(i.quantity_ordered, 0)
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
