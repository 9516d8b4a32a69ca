-- Returns that fail validation are quarantined like orders: kept, flagged with the expectation
-- that failed, and never planned from (no return confirmation quotes a suspect refund).
ALTER TABLE staging.returns ADD COLUMN IF NOT EXISTS quarantined boolean NOT NULL DEFAULT false;
ALTER TABLE staging.returns ADD COLUMN IF NOT EXISTS quarantine_reason text;
