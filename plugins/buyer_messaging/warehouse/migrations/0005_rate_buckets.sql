-- Token buckets shared by every batch and worker of an account, so their calls together
-- never exceed Amazon's rate for the account (a selling partner's limit is per app+seller).
CREATE TABLE IF NOT EXISTS messaging.rate_buckets (
    account_id    text             NOT NULL,
    operation     text             NOT NULL,
    rate          double precision NOT NULL,
    burst         integer          NOT NULL,
    tokens        double precision NOT NULL,
    stamp         timestamptz      NOT NULL DEFAULT clock_timestamp(),
    paused_until  timestamptz      NOT NULL DEFAULT '1970-01-01 00:00:00+00',
    throttled     bigint           NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, operation)
);
