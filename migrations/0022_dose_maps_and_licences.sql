-- Dose maps (performance qualification of an irradiator), the BAPETEN licence and country of a
-- facility, and what a treatment used from both: SPEC §3.3, DOMAIN.md §7.

ALTER TABLE organizations
    ADD COLUMN licence_no           text,
    ADD COLUMN licence_valid_until  date,
    -- printed on labels as the country of irradiation; every facility so far is Indonesian
    ADD COLUMN country              text NOT NULL DEFAULT 'Indonesia',
    ADD CONSTRAINT organizations_licence_of_facility CHECK (
        kind = 'facility' OR (licence_no IS NULL AND licence_valid_until IS NULL)),
    ADD CONSTRAINT organizations_licence_complete CHECK (
        (licence_no IS NULL) = (licence_valid_until IS NULL));

-- Ratios of the lowest and highest dose in the product to the dose at the reference position,
-- from the facility's dose-mapping study; the uncertainty is the dosimetry system's (k = 2).
CREATE TABLE dose_maps (
    id                        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    irradiator_id             uuid NOT NULL REFERENCES irradiators (id),
    name                      text NOT NULL,
    loading_pattern           text NOT NULL,
    reference_position        text NOT NULL,
    ratio_min                 double precision NOT NULL CHECK (ratio_min > 0 AND ratio_min <= 1),
    ratio_max                 double precision NOT NULL CHECK (ratio_max >= 1 AND ratio_max <= 10),
    expanded_uncertainty_pct  double precision NOT NULL
                                  CHECK (expanded_uncertainty_pct BETWEEN 0 AND 20),
    study_ref                 text NOT NULL,
    performed_on              date NOT NULL,
    created_by                uuid NOT NULL REFERENCES users (id),
    created_at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dose_maps_irradiator ON dose_maps (irradiator_id, created_at DESC, id DESC);

-- A treatment keeps the map's values as it used them, and the doses corrected for the
-- uncertainty that conformity and shelf life were judged on. Treatments recorded before had no
-- map and no uncertainty: their corrected doses are their doses.
ALTER TABLE treatments
    ADD COLUMN dose_map_id                  uuid REFERENCES dose_maps (id),
    ADD COLUMN dose_map                     jsonb,
    ADD COLUMN expanded_uncertainty_pct     double precision NOT NULL DEFAULT 0,
    ADD COLUMN dose_min_corrected_kgy       double precision,
    ADD COLUMN dose_max_corrected_kgy       double precision,
    ADD COLUMN facility_licence_no          text,
    ADD COLUMN facility_licence_valid_until date;
UPDATE treatments SET dose_min_corrected_kgy = dose_min_kgy, dose_max_corrected_kgy = dose_max_kgy;

-- A writer that names no corrected dose (SQL by hand, an older process during a rolling upgrade)
-- records a treatment without a map: U = 0 unless given, and the corrected dose follows from it.
CREATE FUNCTION treatments_corrected_doses() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.dose_min_corrected_kgy := COALESCE(NEW.dose_min_corrected_kgy,
        NEW.dose_min_kgy * (1 - NEW.expanded_uncertainty_pct / 100));
    NEW.dose_max_corrected_kgy := COALESCE(NEW.dose_max_corrected_kgy,
        NEW.dose_max_kgy * (1 + NEW.expanded_uncertainty_pct / 100));
    RETURN NEW;
END
$$;
CREATE TRIGGER treatments_corrected_doses BEFORE INSERT ON treatments
    FOR EACH ROW EXECUTE FUNCTION treatments_corrected_doses();
ALTER TABLE treatments
    ALTER COLUMN dose_min_corrected_kgy SET NOT NULL,
    ALTER COLUMN dose_max_corrected_kgy SET NOT NULL,
    ADD CONSTRAINT treatments_dose_map_values CHECK ((dose_map_id IS NULL) = (dose_map IS NULL));

CREATE TRIGGER dose_maps_label_change AFTER UPDATE OR DELETE ON dose_maps
    FOR EACH STATEMENT EXECUTE FUNCTION notify_label_change();
