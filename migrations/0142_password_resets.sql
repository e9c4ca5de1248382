-- A forgotten password (SPEC §10): one-time reset links sent by email. Only the SHA-256 of a
-- link's token is kept, like invites; a link lives an hour, works once, and a newer one ends it.
CREATE TABLE password_resets (
    token_sha256  bytea PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX password_resets_user ON password_resets (user_id) WHERE used_at IS NULL;

-- Reset requests, counted like failed sign-ins: per email as typed (known or not) and client
-- network (a keyed hash, never an address), per email, per network; only the last window is kept.
CREATE TABLE password_reset_requests (
    email         text NOT NULL,
    network       bytea NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX password_reset_requests_email ON password_reset_requests (email, network, requested_at);
CREATE INDEX password_reset_requests_network ON password_reset_requests (network, requested_at);
