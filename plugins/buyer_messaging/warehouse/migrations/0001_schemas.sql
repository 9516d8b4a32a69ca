-- Warehouse schemas and the pipeline's state tables.
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS messaging;
CREATE SCHEMA IF NOT EXISTS quality;
CREATE SCHEMA IF NOT EXISTS reporting;

-- One row per order as last seen by extraction; keyed by its natural key so a re-run upserts.
CREATE TABLE IF NOT EXISTS staging.orders (
    account_id              text        NOT NULL,
    amazon_order_id         text        NOT NULL,
    marketplace_id          text        NOT NULL,
    marketplace             text        NOT NULL,
    order_status            text        NOT NULL,
    fulfillment_channel     text,
    purchase_date           timestamptz NOT NULL,
    last_update_date        timestamptz NOT NULL,
    earliest_ship_date      timestamptz,
    latest_ship_date        timestamptz,
    earliest_delivery_date  timestamptz,
    latest_delivery_date    timestamptz,
    order_total             numeric(14, 2),
    currency                text,
    is_prime                boolean,
    number_of_items_shipped integer,
    number_of_items_unshipped integer,
    buyer_hash              text,
    raw                     jsonb       NOT NULL,
    extracted_at            timestamptz NOT NULL DEFAULT now(),
    quarantined             boolean     NOT NULL DEFAULT false,
    quarantine_reason       text,
    PRIMARY KEY (account_id, amazon_order_id)
);
CREATE INDEX IF NOT EXISTS orders_last_update_idx ON staging.orders (account_id, last_update_date);
CREATE INDEX IF NOT EXISTS orders_delivery_idx ON staging.orders (account_id, earliest_delivery_date);

CREATE TABLE IF NOT EXISTS staging.order_items (
    account_id        text    NOT NULL,
    amazon_order_id   text    NOT NULL,
    order_item_id     text    NOT NULL,
    asin              text,
    seller_sku        text,
    title             text,
    quantity_ordered  integer,
    quantity_shipped  integer,
    item_price        numeric(14, 2),
    currency          text,
    raw               jsonb   NOT NULL,
    PRIMARY KEY (account_id, amazon_order_id, order_item_id)
);

-- Records extraction could not parse: kept raw with the reason, never dropped.
CREATE TABLE IF NOT EXISTS staging.rejected_records (
    account_id   text        NOT NULL,
    source       text        NOT NULL,
    record_key   text        NOT NULL,
    reason       text        NOT NULL,
    raw          jsonb       NOT NULL,
    seen_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, source, record_key)
);

-- What each account has loaded, so the first run onboards a lookback window once.
CREATE TABLE IF NOT EXISTS staging.extract_runs (
    account_id     text        NOT NULL,
    stream         text        NOT NULL,
    window_start   timestamptz NOT NULL,
    window_end     timestamptz NOT NULL,
    records        integer     NOT NULL,
    pages          integer     NOT NULL,
    calls          integer     NOT NULL,
    throttled      integer     NOT NULL,
    finished_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, stream, window_start, window_end)
);

-- The outbox: one row per (account, order, kind), ever. Status moves
-- planned -> ready|blocked|skipped|expired, ready -> sending -> sent|failed_retryable|failed|skipped.
CREATE TABLE IF NOT EXISTS messaging.outbox (
    id               bigserial   PRIMARY KEY,
    account_id       text        NOT NULL,
    marketplace_id   text        NOT NULL,
    amazon_order_id  text        NOT NULL,
    kind             text        NOT NULL,
    channel          text        NOT NULL,
    status           text        NOT NULL DEFAULT 'planned',
    planned_for      date        NOT NULL,
    due_on           date        NOT NULL,
    send_before      timestamptz,
    reason           text,
    locale           text,
    subject          text,
    body             text,
    violation_codes  text[]      NOT NULL DEFAULT '{}',
    attempts         integer     NOT NULL DEFAULT 0,
    claimed_by       text,
    claimed_at       timestamptz,
    sent_at          timestamptz,
    error            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbox_one_per_order_kind UNIQUE (account_id, amazon_order_id, kind),
    CONSTRAINT outbox_status_known CHECK (status IN (
        'planned', 'ready', 'blocked', 'skipped', 'expired',
        'sending', 'sent', 'failed_retryable', 'failed'))
);
CREATE INDEX IF NOT EXISTS outbox_status_idx ON messaging.outbox (account_id, status, kind);
CREATE INDEX IF NOT EXISTS outbox_planned_for_idx ON messaging.outbox (account_id, planned_for);

-- Every call made to deliver a message, with the answer, so a crash can be reconciled.
CREATE TABLE IF NOT EXISTS messaging.attempts (
    id           bigserial   PRIMARY KEY,
    outbox_id    bigint      NOT NULL REFERENCES messaging.outbox (id),
    attempt_no   integer     NOT NULL,
    worker       text,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    outcome      text,
    http_status  integer,
    response     jsonb,
    error        text,
    UNIQUE (outbox_id, attempt_no)
);

CREATE TABLE IF NOT EXISTS messaging.lint_violations (
    outbox_id  bigint NOT NULL REFERENCES messaging.outbox (id),
    rule       text   NOT NULL,
    category   text   NOT NULL,
    severity   text   NOT NULL,
    excerpt    text,
    PRIMARY KEY (outbox_id, rule, category)
);

CREATE TABLE IF NOT EXISTS quality.runs (
    id            bigserial   PRIMARY KEY,
    account_id    text        NOT NULL,
    run_day       date        NOT NULL,
    suite         text        NOT NULL,
    rows_checked  integer     NOT NULL,
    rows_bad      integer     NOT NULL,
    success       boolean     NOT NULL,
    docs_path     text,
    started_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS quality.results (
    run_id            bigint  NOT NULL REFERENCES quality.runs (id),
    expectation       text    NOT NULL,
    column_name       text,
    success           boolean NOT NULL,
    unexpected_count  integer NOT NULL DEFAULT 0,
    sample_ids        text[]  NOT NULL DEFAULT '{}',
    PRIMARY KEY (run_id, expectation, column_name)
);
