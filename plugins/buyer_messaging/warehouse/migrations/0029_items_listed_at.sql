-- Who cancelled a report-first order (plan/sql/unavailability_notice.sql).
--
-- The all-orders report says a line or an order is Cancelled, never who asked: the requester
-- is on the Orders API's items only (v0 getOrderItems' BuyerRequestedCancel, 2026-01-01's
-- cancellation object). A cancellation notice of an order whose items are the report's lines
-- waits for them, else a buyer who cancelled would read "we had to cancel your order".
--
-- items_listed_at: when the Orders API's items replaced the all-orders report's lines of the
-- order (extract/store.py: getOrderItems, getOrder, searchOrders' items). NULL while they are
-- the report's, or when the API staged the items first. The planner plans a cancellation
-- notice that waited for them on the day they arrive, within its stale_after_days of the day
-- of the cancellation; the outbox's natural key keeps it to one message.
ALTER TABLE staging.orders ADD COLUMN IF NOT EXISTS items_listed_at timestamptz;
CREATE INDEX IF NOT EXISTS orders_items_listed_idx ON staging.orders (account_id, items_listed_at)
    WHERE items_listed_at IS NOT NULL;
