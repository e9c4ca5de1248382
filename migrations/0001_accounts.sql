-- Organizations, users, hashed API tokens, irradiators, and server-side secrets.

CREATE TABLE organizations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL CHECK (kind IN ('producer', 'facility', 'regulator')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    address     text NOT NULL,
    city        text NOT NULL,
    province    text,
    phone       text,
    nib         text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organizations_created ON organizations (created_at DESC, id DESC);

CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL,
    role             text NOT NULL CHECK (role IN ('admin', 'producer', 'operator', 'qa', 'regulator')),
    organization_id  uuid REFERENCES organizations (id),
    email            text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- an admin belongs to no organization; everybody else belongs to exactly one
    CONSTRAINT users_admin_has_no_organization CHECK ((role = 'admin') = (organization_id IS NULL))
);
CREATE INDEX users_organization ON users (organization_id);

-- Only the SHA-256 of a token is kept: tokens are 256-bit random, so a fast hash is enough.
CREATE TABLE api_tokens (
    token_sha256  bytea PRIMARY KEY,
    user_id       uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE irradiators (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    facility_id     uuid NOT NULL REFERENCES organizations (id),
    name            text NOT NULL,
    source_type     text NOT NULL CHECK (source_type IN ('cobalt-60', 'cesium-137', 'electron-beam', 'x-ray')),
    activity_kci    double precision CHECK (activity_kci > 0),
    max_energy_mev  double precision CHECK (max_energy_mev > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Codex CXS 106: machine sources are limited in energy to avoid induced radioactivity
    CONSTRAINT irradiators_energy_limit CHECK (
        (source_type <> 'electron-beam' OR max_energy_mev <= 10)
        AND (source_type <> 'x-ray' OR max_energy_mev <= 7.5)
    )
);
CREATE INDEX irradiators_facility ON irradiators (facility_id, created_at);

-- Random secrets shared by every process of one deployment (e.g. the scan fingerprint key).
CREATE TABLE server_secrets (
    name        text PRIMARY KEY,
    value       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
