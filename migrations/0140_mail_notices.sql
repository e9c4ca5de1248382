-- Email (SPEC §10, §13.2): the outbox of notices. A notice is written in the transaction of the
-- change that causes it (none lost, none invented) and sent by each process's mail worker, at
-- least once, always under the same Message-ID, so a resend after a crash is recognisable.
--
-- A notice names its template (`kind`) and the facts it needs (`params`), rendered in its
-- `language` when it is sent; a secret it carries (a password-reset link) is kept sealed with
-- the deployment's AES-256-GCM key while it waits, and dropped once the notice is done with.
CREATE TABLE mail_notices (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind            text NOT NULL CHECK (kind IN (
                        'batch_received', 'batch_released', 'batch_rejected', 'password_reset')),
    recipient       text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    user_id         uuid REFERENCES users (id),     -- the account it is written for, if any
    batch_id        uuid REFERENCES batches (id),   -- the batch it is about, if any
    language        text NOT NULL CHECK (language IN ('id', 'en')),
    params          jsonb NOT NULL DEFAULT '{}',
    secret_sealed   bytea,
    message_id      text NOT NULL UNIQUE,           -- the Message-ID header, angle brackets included
    -- pending: to be sent; sent: the server took it (250); failed: given up, or refused for good;
    -- not_sent: written while no mail server was configured (RADURA_SMTP_URL), never sent
    status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'not_sent')),
    attempts        integer NOT NULL DEFAULT 0,
    -- while pending: when it is next due (a claimed notice is pushed past its attempt's end, so
    -- another process cannot take it meanwhile)
    next_attempt_at timestamptz,
    send_until      timestamptz NOT NULL,           -- not sent by then: failed (a reset link dies)
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at         timestamptz,
    CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);

CREATE INDEX mail_notices_due ON mail_notices (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_notices_batch ON mail_notices (batch_id) WHERE batch_id IS NOT NULL;
CREATE INDEX mail_notices_user ON mail_notices (user_id, created_at DESC) WHERE user_id IS NOT NULL;
