-- Seller feedback (Reports API, GET_SELLER_FEEDBACK_DATA): Amazon's negative and neutral
-- ratings, one per order. The rater's e-mail is never stored: only its salted hash (the same
-- hash as staging.orders.buyer_hash, so a rating reaches every order of that buyer). Comments
-- and the seller's response are buyer text: the retention purge clears them.
CREATE TABLE IF NOT EXISTS staging.seller_feedback (
    account_id       text        NOT NULL,
    amazon_order_id  text        NOT NULL,
    marketplace_id   text        NOT NULL,
    feedback_date    date        NOT NULL,
    rating           smallint    NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comments         text,
    seller_response  text,
    rater_hash       text,
    extracted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, amazon_order_id)
);
CREATE INDEX IF NOT EXISTS seller_feedback_date_idx ON staging.seller_feedback (account_id, feedback_date);

-- Issue-resolution cases: a negative signal (a 1-2 star rating, a return whose reason says
-- defective or not as described) opens one case per order. While an order has a case, neither
-- it nor any other order of the same buyer gets a non-critical message. The seller closes a
-- case, saying who, when and how; a closed case keeps suppressing: the buyer had a bad
-- experience either way.
CREATE TABLE IF NOT EXISTS messaging.cases (
    id               bigserial   PRIMARY KEY,
    account_id       text        NOT NULL,
    amazon_order_id  text        NOT NULL,
    buyer_hash       text,
    source           text        NOT NULL CHECK (source IN ('feedback', 'return')),
    signal           text        NOT NULL,
    signalled_on     date,
    opened_at        timestamptz NOT NULL DEFAULT now(),
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    closed_at        timestamptz,
    closed_by        text,
    resolution       text,
    UNIQUE (account_id, amazon_order_id)
);
CREATE INDEX IF NOT EXISTS cases_buyer_idx ON messaging.cases (account_id, buyer_hash);
CREATE INDEX IF NOT EXISTS cases_open_idx ON messaging.cases (account_id, status, opened_at);
