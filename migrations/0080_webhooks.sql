-- Webhooks (SPEC §11): endpoints an organization registers, the outbox of messages written in
-- the same transaction as the change they announce, one delivery per message and endpoint, and
-- every attempt of a delivery.

CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    url             text NOT NULL CHECK (length(url) BETWEEN 1 AND 2000),
    events          text[] NOT NULL CHECK (
        cardinality(events) > 0
        AND events <@ ARRAY['batch.released', 'batch.recalled', 'batch.rejected', 'scan.suspect']
    ),
    -- the signing secret, AES-256-GCM sealed (nonce ‖ ciphertext): it must be recoverable to
    -- sign, and a database dump alone must not give it away
    secret_sealed   bytea NOT NULL,
    created_by      uuid REFERENCES users (id),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    deleted_at      timestamptz
);

CREATE INDEX webhook_endpoints_organization ON webhook_endpoints (organization_id, created_at DESC)
    WHERE deleted_at IS NULL;

-- The outbox: one row per announced change, whoever receives it.
CREATE TABLE webhook_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_type  text NOT NULL,
    batch_id    uuid NOT NULL REFERENCES batches (id),
    payload     jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id       uuid NOT NULL REFERENCES webhook_messages (id),
    endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id),
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    -- while pending: when it is next due (a claimed delivery is pushed past its attempt's end,
    -- so another process cannot take it meanwhile)
    next_attempt_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at      timestamptz,
    CONSTRAINT webhook_deliveries_once UNIQUE (message_id, endpoint_id),
    CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);

CREATE TABLE webhook_attempts (
    delivery_id     uuid NOT NULL REFERENCES webhook_deliveries (id),
    attempt         integer NOT NULL,
    attempted_at    timestamptz NOT NULL,
    duration_ms     integer NOT NULL,
    http_status     integer,
    error           text,
    next_attempt_at timestamptz,
    PRIMARY KEY (delivery_id, attempt)
);

-- Serials already announced as suspect: the first crossing of the clone threshold is announced
-- once, however many processes flush scans of it.
CREATE TABLE webhook_suspect_serials (
    batch_id     uuid NOT NULL REFERENCES batches (id),
    serial       text NOT NULL,
    announced_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (batch_id, serial)
);
