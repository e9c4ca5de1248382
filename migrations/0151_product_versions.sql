-- Product versions (SPEC §3.2 "Editing"): an edit of what a label prints makes a new version,
-- and each batch keeps the version it was registered with, so nothing already printed changes
-- meaning. The product's id, GTIN, category and purpose never change and stay on `products`;
-- every other field lives per version in `product_versions`.
--
-- `products` keeps its columns as the current version (a product's own pages and lists read it
-- as before); `product_versions` is filled from it by triggers, so that every writer — the
-- service, psql, an older process during a rolling upgrade — keeps the two in step:
--   * a new product writes its version 1;
--   * an UPDATE that raises `version` writes the new version;
--   * an UPDATE that keeps it (the in-place amendment of evidence, a correction by hand)
--     rewrites the current version, as it rewrites the product.

ALTER TABLE products ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);

CREATE TABLE product_versions (
    product_id                 uuid NOT NULL REFERENCES products (id),
    version                    integer NOT NULL CHECK (version >= 1),
    name                       text NOT NULL,
    min_dose_kgy               double precision NOT NULL,
    base_shelf_life_days       integer NOT NULL,
    reference_temp_c           double precision NOT NULL,
    storage_temp_c             double precision NOT NULL,
    packaging                  text NOT NULL,
    registration_no            text,
    net_content                text,
    water_activity             double precision,
    ph                         double precision,
    validated_shelf_life_days  integer,
    validated_study_ref        text,
    validated_study_temp_c     double precision,
    validated_study_dose_kgy   double precision,
    validated_study_packaging  text,
    process_validation_ref     text,
    hs_code                    text,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (product_id, version)
);

INSERT INTO product_versions (product_id, version, name, min_dose_kgy, base_shelf_life_days,
        reference_temp_c, storage_temp_c, packaging, registration_no, net_content, water_activity,
        ph, validated_shelf_life_days, validated_study_ref, validated_study_temp_c,
        validated_study_dose_kgy, validated_study_packaging, process_validation_ref, hs_code,
        created_at)
SELECT id, version, name, min_dose_kgy, base_shelf_life_days, reference_temp_c, storage_temp_c,
       packaging, registration_no, net_content, water_activity, ph, validated_shelf_life_days,
       validated_study_ref, validated_study_temp_c, validated_study_dose_kgy,
       validated_study_packaging, process_validation_ref, hs_code, created_at
FROM products;

CREATE FUNCTION products_keep_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.version = OLD.version THEN
        UPDATE product_versions SET
            name = NEW.name, min_dose_kgy = NEW.min_dose_kgy,
            base_shelf_life_days = NEW.base_shelf_life_days,
            reference_temp_c = NEW.reference_temp_c, storage_temp_c = NEW.storage_temp_c,
            packaging = NEW.packaging, registration_no = NEW.registration_no,
            net_content = NEW.net_content, water_activity = NEW.water_activity, ph = NEW.ph,
            validated_shelf_life_days = NEW.validated_shelf_life_days,
            validated_study_ref = NEW.validated_study_ref,
            validated_study_temp_c = NEW.validated_study_temp_c,
            validated_study_dose_kgy = NEW.validated_study_dose_kgy,
            validated_study_packaging = NEW.validated_study_packaging,
            process_validation_ref = NEW.process_validation_ref, hs_code = NEW.hs_code
        WHERE product_id = NEW.id AND version = NEW.version;
        RETURN NULL;
    END IF;
    -- a new product, or a new version: the primary key refuses a version number used before
    INSERT INTO product_versions (product_id, version, name, min_dose_kgy, base_shelf_life_days,
            reference_temp_c, storage_temp_c, packaging, registration_no, net_content,
            water_activity, ph, validated_shelf_life_days, validated_study_ref,
            validated_study_temp_c, validated_study_dose_kgy, validated_study_packaging,
            process_validation_ref, hs_code)
    VALUES (NEW.id, NEW.version, NEW.name, NEW.min_dose_kgy, NEW.base_shelf_life_days,
            NEW.reference_temp_c, NEW.storage_temp_c, NEW.packaging, NEW.registration_no,
            NEW.net_content, NEW.water_activity, NEW.ph, NEW.validated_shelf_life_days,
            NEW.validated_study_ref, NEW.validated_study_temp_c, NEW.validated_study_dose_kgy,
            NEW.validated_study_packaging, NEW.process_validation_ref, NEW.hs_code);
    RETURN NULL;
END
$$;
CREATE TRIGGER products_keep_versions AFTER INSERT OR UPDATE ON products
    FOR EACH ROW EXECUTE FUNCTION products_keep_versions();

-- Every version of every product with the product's unchanging fields, under the products
-- table's column names: a batch reads its own with
--   JOIN versioned_products p ON p.id = b.product_id AND p.version = b.product_version
CREATE VIEW versioned_products AS
SELECT p.id, p.organization_id, p.category, p.purpose, p.gtin, p.created_at,
       v.version, v.name, v.min_dose_kgy, v.base_shelf_life_days, v.reference_temp_c,
       v.storage_temp_c, v.packaging, v.registration_no, v.net_content, v.water_activity, v.ph,
       v.validated_shelf_life_days, v.validated_study_ref, v.validated_study_temp_c,
       v.validated_study_dose_kgy, v.validated_study_packaging, v.process_validation_ref,
       v.hs_code, v.created_at AS version_created_at
FROM products p JOIN product_versions v ON v.product_id = p.id;

-- A batch points at its version. Every batch so far was registered with version 1, the only
-- one there was. A writer that names none (SQL by hand, an older process) gets the product's
-- current version, as the service gives it.
-- (A default that is dropped at once: no rewrite of the table, no UPDATE trigger per batch.)
ALTER TABLE batches ADD COLUMN product_version integer NOT NULL DEFAULT 1;
ALTER TABLE batches ALTER COLUMN product_version DROP DEFAULT;
CREATE FUNCTION batches_product_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.product_version IS NULL THEN
        SELECT version INTO NEW.product_version FROM products WHERE id = NEW.product_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER batches_product_version BEFORE INSERT ON batches
    FOR EACH ROW EXECUTE FUNCTION batches_product_version();
ALTER TABLE batches
    ADD CONSTRAINT batches_product_version_fkey FOREIGN KEY (product_id, product_version)
        REFERENCES product_versions (product_id, version);
