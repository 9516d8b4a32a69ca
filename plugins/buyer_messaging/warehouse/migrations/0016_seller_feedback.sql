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
