-- Orders from the all-orders report at volume (extract/report_first.py, issue #21).
--
-- details_from: where an order's details came from. `orders_api`: the Orders API listing
-- (getOrders / searchOrders) staged it, with the buyer (hash and name), the delivery window,
-- LatestShipDate and IsPrime. `report`: only GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL
-- has, which carries none of those: the order's statuses, channel and items are known, its
-- buyer is not. Only the listing sets `orders_api`; a report row never sets it back. The
-- planner plans a report-only order only for critical kinds whose rules read nothing the
-- report lacks (plan/sql/decide.sql): no suppression, case or repeat-buyer rule can be
-- applied to an order whose buyer is unknown. Rows staged before this column are the
-- listing's.
ALTER TABLE staging.orders
    ADD COLUMN IF NOT EXISTS details_from text NOT NULL DEFAULT 'orders_api';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'orders_details_from_known') THEN
        ALTER TABLE staging.orders ADD CONSTRAINT orders_details_from_known
            CHECK (details_from IN ('orders_api', 'report'));
    END IF;
END $$;
-- the listing's backlog: report-only orders it has still to bring
CREATE INDEX IF NOT EXISTS orders_report_only_idx ON staging.orders (account_id, last_update_date)
    WHERE details_from = 'report';

-- Where the report phase of an orders window stands, one row per report span (<= 30 days):
-- the report requested (so a re-run after a kill polls it again instead of requesting a new
-- one: Amazon keeps a DONE report's document downloadable), its document, how many of its
-- orders are committed (the document's orders are staged in batches, in the document's order)
-- and whether the span is done. Deleted with the window's listing checkpoint, when the window
-- is recorded in staging.extract_runs as fully listed.
CREATE TABLE IF NOT EXISTS staging.extract_report_checkpoints (
    account_id    text        NOT NULL,
    stream        text        NOT NULL,
    span_start    timestamptz NOT NULL,
    span_end      timestamptz NOT NULL,
    report_id     text        NOT NULL,
    document_id   text,
    orders_done   integer     NOT NULL DEFAULT 0,
    done          boolean     NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, stream, span_start, span_end)
);
