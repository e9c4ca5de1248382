-- A recall that reaches the buyers (SPEC §13.2): one row per customer that received the batch
-- (its non-cancelled shipments summed), written in the recall's transaction. A customer with an
-- email gets a `recall_notice` from the mail outbox; the row keeps the SHA-256 of the notice's
-- acknowledgement link (`/r/{token}`, valid 90 days), never the token itself, and when the
-- customer acknowledged it (once).
ALTER TABLE mail_notices DROP CONSTRAINT mail_notices_kind_check;
ALTER TABLE mail_notices ADD CONSTRAINT mail_notices_kind_check CHECK (kind IN (
    'batch_received', 'batch_released', 'batch_rejected', 'password_reset', 'recall_notice'));

CREATE TABLE recall_notices (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    batch_id         uuid NOT NULL REFERENCES batches (id),
    customer_id      uuid NOT NULL REFERENCES customers (id),
    quantity         double precision NOT NULL CHECK (quantity > 0),
    unit             text NOT NULL CHECK (unit IN ('pcs', 'kg')),
    notice_id        uuid REFERENCES mail_notices (id),  -- none: the customer has no email
    token_sha256     bytea NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at       timestamptz NOT NULL,
    acknowledged_at  timestamptz,
    UNIQUE (batch_id, customer_id)
);
