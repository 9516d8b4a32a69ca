-- Buyers who get no non-critical messages: they asked the seller not to be contacted, or an
-- operator suppressed them. Keyed by the buyer's salted hash (no PII), kept past the PII
-- retention window on purpose: a "do not contact" must outlive the order that carried it.
CREATE TABLE IF NOT EXISTS messaging.suppressions (
    account_id   text        NOT NULL,
    buyer_hash   text        NOT NULL,
    reason       text        NOT NULL,
    source       text        NOT NULL DEFAULT 'operator',
    order_id     text,                -- the order it was recorded from, for the record
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, buyer_hash)
);
