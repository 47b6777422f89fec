-- The receiver's records, one per (station_id, idempotency_key): the unique key that makes
-- retries idempotent across any number of receivers on this database.
CREATE TABLE received (
    station_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    station_bound BOOLEAN NOT NULL DEFAULT FALSE,
    body_sha256 TEXT NOT NULL,
    status INTEGER NOT NULL,
    answer TEXT NOT NULL,
    received_ms BIGINT NOT NULL,
    payload BYTEA,
    PRIMARY KEY (station_id, idempotency_key)
);
CREATE INDEX received_status_time ON received (status, received_ms);
