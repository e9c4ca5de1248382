-- Failed sign-ins counted in three budgets (SPEC §10): per account and client network, per
-- account over all networks, per network over all accounts. The network (an IPv4 /24 or IPv6
-- /64) is stored as a keyed hash, never as an address; the failures of the last 15 minutes are
-- all the table ever holds, so the old rows (which held addresses) are simply dropped.
DROP TABLE sign_in_failures;
CREATE TABLE sign_in_failures (
    email       text NOT NULL,      -- lower-cased as typed, known account or not
    network     bytea NOT NULL,     -- keyed hash of the client's network
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, network, failed_at);
CREATE INDEX sign_in_failures_network ON sign_in_failures (network, failed_at);

-- The networks each account signed in from: for 30 days they are exempt from the account's
-- budget over all networks, so a stranger elsewhere cannot lock the owner out at home.
CREATE TABLE sign_in_networks (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network       bytea NOT NULL,   -- keyed hash of the client's network
    signed_in_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, network)
);
