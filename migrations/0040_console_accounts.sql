-- People sign in to the console: passwords, invites, server-side sessions, sign-in throttling.

-- one account per address, whatever its case
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
ALTER TABLE users
    ADD COLUMN password_hash text,          -- argon2id, PHC string; NULL until an invite is used
    ADD COLUMN disabled_at   timestamptz;   -- set once: ends sessions and tokens, refuses sign-in

-- One-time invite links; only the SHA-256 of the token is kept, like API tokens.
CREATE TABLE user_invites (
    token_sha256  bytea PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);
CREATE INDEX user_invites_user ON user_invites (user_id);

-- Litestar's server-side session store. `data` is the session as JSON; the signed-in user is
-- derived from it so that disabling a user can end every session of theirs at once.
CREATE TABLE console_sessions (
    id          text PRIMARY KEY,
    data        jsonb NOT NULL,
    user_id     uuid GENERATED ALWAYS AS ((data ->> 'user_id')::uuid) STORED,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX console_sessions_user ON console_sessions (user_id);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

-- Failed sign-ins, counted per email and per client over a sliding window.
CREATE TABLE sign_in_failures (
    email       text NOT NULL,      -- lower-cased as typed, known account or not
    client      text NOT NULL,      -- the client's address
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, failed_at);
CREATE INDEX sign_in_failures_client ON sign_in_failures (client, failed_at);
