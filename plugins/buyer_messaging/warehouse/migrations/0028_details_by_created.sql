-- The details listing of report-first orders lists by creation time (extract/source.py's
-- list_order_details, issue #21): an order appears in the LastUpdated window of every day it
-- changes, but in one creation window only, so a day's orders are listed once.
--
-- listed_by: which of getOrders' time filters the checkpoint's window and NextToken belong to
-- ('last_update': LastUpdatedAfter/Before, the ordinary listing; 'created': CreatedAfter/Before,
-- the details listing, one window per UTC day of purchase). A 'created' checkpoint is kept
-- once its window is listed (AFN pass, no NextToken): its updated_at says which report rows
-- came after, so a day is listed again only for orders the report staged since.
ALTER TABLE staging.extract_checkpoints ADD COLUMN IF NOT EXISTS listed_by text NOT NULL DEFAULT 'last_update';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'extract_checkpoints_listed_by_known') THEN
        ALTER TABLE staging.extract_checkpoints ADD CONSTRAINT extract_checkpoints_listed_by_known
            CHECK (listed_by IN ('last_update', 'created'));
    END IF;
END $$;
ALTER TABLE staging.extract_checkpoints DROP CONSTRAINT IF EXISTS extract_checkpoints_pkey;
ALTER TABLE staging.extract_checkpoints ADD CONSTRAINT extract_checkpoints_pkey
    PRIMARY KEY (account_id, stream, listed_by, window_start);
-- A report-first run's LastUpdated window left to the listing (channel set): its orders are
-- those with details_from = 'report', which the listing by creation time now finds itself.
DELETE FROM staging.extract_checkpoints WHERE listed_by = 'last_update' AND channel IS NOT NULL;
