-- Returns (Reports API, GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE) and shipment packages
-- (Orders API 2026-01-01 includedData=PACKAGES), keyed by their natural keys so a re-run upserts.

-- One row per returned line of a return authorisation. Natural key: Amazon's RMA id names one
-- return authorisation of one order (stable while its status moves Authorized -> Approved ->
-- Closed and the refund lands), and one RMA may cover several SKUs of the order; the same SKU
-- returned twice gets a second RMA. `return_key` is the RMA id, or, for the rare row without
-- one, 'requested:<return-request-date>'. `line_key` is the merchant SKU (the ASIN when Amazon
-- leaves the SKU empty). The request date is an attribute, not part of the key.
CREATE TABLE IF NOT EXISTS staging.returns (
    account_id             text          NOT NULL,
    amazon_order_id        text          NOT NULL,
    return_key             text          NOT NULL,
    line_key               text          NOT NULL,
    amazon_rma_id          text,
    seller_rma_id          text,
    merchant_sku           text,
    asin                   text,
    item_name              text,
    order_date             timestamptz   NOT NULL,
    return_request_date    timestamptz   NOT NULL,
    return_request_status  text,
    return_delivery_date   timestamptz,
    return_quantity        integer       NOT NULL CHECK (return_quantity > 0),
    return_reason          text,
    return_type            text,
    resolution             text,
    in_policy              boolean,
    is_prime               boolean,
    a_to_z_claim           boolean,
    label_type             text,
    label_cost             numeric(14, 2),
    label_to_be_paid_by    text,
    return_carrier         text,
    tracking_id            text,
    currency               text,
    order_amount           numeric(14, 2),
    order_quantity         integer,
    refunded_amount        numeric(14, 2),
    raw                    jsonb         NOT NULL,
    extracted_at           timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, amazon_order_id, return_key, line_key)
);
CREATE INDEX IF NOT EXISTS returns_request_date_idx ON staging.returns (account_id, return_request_date);

-- One row per package of a merchant-fulfilled order: what a shipment confirmation needs.
CREATE TABLE IF NOT EXISTS staging.shipments (
    account_id                 text        NOT NULL,
    amazon_order_id            text        NOT NULL,
    package_reference_id       text        NOT NULL,
    carrier                    text,
    tracking_number            text,
    shipping_service           text,
    ship_date                  timestamptz,
    package_created_at         timestamptz,
    package_status             text,
    package_detailed_status    text,
    estimated_delivery_start   timestamptz,
    estimated_delivery_end     timestamptz,
    items                      jsonb       NOT NULL DEFAULT '[]',
    raw                        jsonb       NOT NULL,
    extracted_at               timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, amazon_order_id, package_reference_id)
);
CREATE INDEX IF NOT EXISTS shipments_ship_date_idx ON staging.shipments (account_id, ship_date);

-- Returns with their order (when staging has it: a return may come for an order older than
-- anything extracted so far, hence the outer join).
CREATE OR REPLACE VIEW staging.returns_with_orders AS
SELECT r.*, o.marketplace_id, o.marketplace, o.order_status, o.fulfillment_channel,
       o.purchase_date, o.order_total, o.currency AS order_currency,
       o.latest_delivery_date, (o.amazon_order_id IS NOT NULL) AS order_known
FROM staging.returns r
LEFT JOIN staging.orders o ON o.account_id = r.account_id AND o.amazon_order_id = r.amazon_order_id;

-- The first package of each order: the carrier and tracking number a confirmation quotes.
CREATE OR REPLACE VIEW staging.order_tracking AS
SELECT DISTINCT ON (account_id, amazon_order_id)
       account_id, amazon_order_id, carrier, tracking_number, shipping_service, ship_date,
       estimated_delivery_start, estimated_delivery_end, package_status,
       count(*) OVER (PARTITION BY account_id, amazon_order_id) AS packages
FROM staging.shipments
ORDER BY account_id, amazon_order_id, ship_date NULLS LAST, package_reference_id;
