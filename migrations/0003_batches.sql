-- Products, batches and their life cycle: receipt, treatment with dosimeters, the audit chain.

CREATE TABLE products (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id            uuid NOT NULL REFERENCES organizations (id),
    name                       text NOT NULL,
    category                   text NOT NULL,
    purpose                    text NOT NULL,
    min_dose_kgy               double precision NOT NULL CHECK (min_dose_kgy > 0),
    base_shelf_life_days       integer NOT NULL CHECK (base_shelf_life_days BETWEEN 1 AND 3650),
    reference_temp_c           double precision NOT NULL CHECK (reference_temp_c BETWEEN -40 AND 60),
    storage_temp_c             double precision NOT NULL CHECK (storage_temp_c BETWEEN -40 AND 60),
    packaging                  text NOT NULL CHECK (packaging IN ('air', 'vacuum', 'map')),
    gtin                       char(14) CONSTRAINT products_gtin_key UNIQUE,
    registration_no            text,
    net_content                text,
    water_activity             double precision CHECK (water_activity BETWEEN 0 AND 1),
    ph                         double precision CHECK (ph BETWEEN 0 AND 14),
    validated_shelf_life_days  integer CHECK (validated_shelf_life_days BETWEEN 1 AND 3650),
    validated_study_ref        text,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (category, purpose) REFERENCES food_category_purposes (category, purpose),
    CHECK (validated_shelf_life_days IS NULL OR validated_study_ref IS NOT NULL)
);
CREATE INDEX products_organization ON products (organization_id, created_at DESC, id DESC);

CREATE TABLE batches (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code             char(10) NOT NULL CONSTRAINT batches_code_key UNIQUE,
    product_id       uuid NOT NULL REFERENCES products (id),
    producer_id      uuid NOT NULL REFERENCES organizations (id),
    facility_id      uuid NOT NULL REFERENCES organizations (id),
    lot              text NOT NULL CHECK (lot ~ '^[A-Za-z0-9-]{1,20}$'),
    production_date  date NOT NULL,
    quantity         double precision NOT NULL CHECK (quantity > 0),
    unit             text NOT NULL CHECK (unit IN ('pcs', 'kg')),
    status           text NOT NULL DEFAULT 'registered' CHECK (status IN (
                         'registered', 'received', 'treated', 'released',
                         'rejected', 'cancelled', 'recalled')),
    created_by       uuid NOT NULL REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- set at release: the radura-sl result with all its inputs, and the date it fixes
    shelf_life       jsonb,
    best_before      date,
    released_by      uuid REFERENCES users (id),
    released_at      timestamptz,
    rejected_by      uuid REFERENCES users (id),
    rejected_at      timestamptz,
    reject_reason    text,
    cancelled_at     timestamptz,
    recalled_by      uuid REFERENCES users (id),
    recalled_at      timestamptz,
    recall_reason    text,
    CONSTRAINT batches_product_lot_key UNIQUE (product_id, lot)
);
CREATE INDEX batches_producer ON batches (producer_id, created_at DESC, id DESC);
CREATE INDEX batches_facility ON batches (facility_id, created_at DESC, id DESC);
CREATE INDEX batches_created ON batches (created_at DESC, id DESC);

CREATE TABLE receipts (
    batch_id           uuid PRIMARY KEY REFERENCES batches (id),
    quantity_received  double precision NOT NULL CHECK (quantity_received > 0),
    condition          text,
    notes              text,
    received_at        timestamptz NOT NULL,
    received_by        uuid NOT NULL REFERENCES users (id)
);

-- At most one treatment per batch (the primary key): no re-irradiation, ever.
CREATE TABLE treatments (
    batch_id               uuid PRIMARY KEY REFERENCES batches (id),
    irradiator_id          uuid NOT NULL REFERENCES irradiators (id),
    run_id                 text NOT NULL,
    started_at             timestamptz NOT NULL,
    ended_at               timestamptz NOT NULL CHECK (ended_at > started_at),
    passes                 integer CHECK (passes >= 1),
    dwell_time_s           double precision CHECK (dwell_time_s > 0),
    conveyor_speed_m_min   double precision CHECK (conveyor_speed_m_min > 0),
    product_temp_c         double precision,
    atmosphere             text,
    pq_ref                 text,
    dose_min_kgy           double precision NOT NULL,
    dose_max_kgy           double precision NOT NULL,
    dur                    double precision NOT NULL,
    legal_max_dose_kgy     double precision NOT NULL,
    product_min_dose_kgy   double precision NOT NULL,
    conforming             boolean NOT NULL,
    nonconformities        text[] NOT NULL DEFAULT '{}',
    recorded_by            uuid NOT NULL REFERENCES users (id),
    recorded_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE dosimeters (
    batch_id         uuid NOT NULL REFERENCES treatments (batch_id),
    ordinal          integer NOT NULL,
    dosimeter_id     text NOT NULL,
    type             text NOT NULL,
    position         text NOT NULL CHECK (position IN ('min', 'max', 'reference', 'other')),
    dose_kgy         double precision NOT NULL CHECK (dose_kgy >= 0),
    calibration_ref  text,
    PRIMARY KEY (batch_id, ordinal)
);

-- The audit log: hash-chained per batch, append-only (enforced below, not by convention).
CREATE TABLE batch_events (
    batch_id    uuid NOT NULL REFERENCES batches (id),
    seq         integer NOT NULL CHECK (seq >= 1),
    kind        text NOT NULL,
    at          timestamptz NOT NULL,
    actor_id    uuid,
    actor_name  text,
    actor_role  text,
    data        jsonb NOT NULL DEFAULT '{}',
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

CREATE FUNCTION refuse_batch_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'batch_events is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER batch_events_no_update_delete BEFORE UPDATE OR DELETE ON batch_events
    FOR EACH ROW EXECUTE FUNCTION refuse_batch_event_change();
CREATE TRIGGER batch_events_no_truncate BEFORE TRUNCATE ON batch_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_batch_event_change();

-- A retried write with the same Idempotency-Key returns the first response.
CREATE TABLE idempotency_keys (
    user_id          uuid NOT NULL REFERENCES users (id),
    scope            text NOT NULL,
    key              text NOT NULL,
    request_sha256   bytea NOT NULL,
    response_status  integer NOT NULL,
    response_body    jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, scope, key)
);
