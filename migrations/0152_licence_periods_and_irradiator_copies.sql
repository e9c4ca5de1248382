-- A facility's BAPETEN licence has periods, and a treatment keeps the irradiator as it was
-- (SPEC §3.2 "Editing", §3.3).
--
-- Licence periods: a renewal adds one; release checks the treatment's date against all of them,
-- so a renewal frees the batches treated within its period and none treated in a gap. The
-- organization's licence columns stay the current licence; every change of them is recorded as
-- a period by a trigger, whoever writes them. `licence_valid_from` is the current period's
-- first day, NULL for a licence recorded without one (it then covers every day up to its end,
-- as the single validity date did before).

ALTER TABLE organizations
    ADD COLUMN licence_valid_from date,
    ADD CONSTRAINT organizations_licence_period CHECK (
        licence_valid_from IS NULL OR (licence_valid_until IS NOT NULL
                                       AND licence_valid_from <= licence_valid_until));

CREATE TABLE facility_licences (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    facility_id  uuid NOT NULL REFERENCES organizations (id),
    licence_no   text NOT NULL,
    valid_from   date,
    valid_until  date NOT NULL,
    -- the clock, not the transaction's start: two renewals in one transaction keep their order
    recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (valid_from IS NULL OR valid_from <= valid_until)
);
CREATE INDEX facility_licences_facility ON facility_licences (facility_id, valid_until);

INSERT INTO facility_licences (facility_id, licence_no, valid_from, valid_until, recorded_at)
SELECT id, licence_no, NULL, licence_valid_until, created_at
FROM organizations WHERE licence_no IS NOT NULL;

CREATE FUNCTION organizations_licence_periods() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.licence_no IS NOT NULL AND (TG_OP = 'INSERT'
            OR NEW.licence_no IS DISTINCT FROM OLD.licence_no
            OR NEW.licence_valid_from IS DISTINCT FROM OLD.licence_valid_from
            OR NEW.licence_valid_until IS DISTINCT FROM OLD.licence_valid_until) THEN
        INSERT INTO facility_licences (facility_id, licence_no, valid_from, valid_until)
        VALUES (NEW.id, NEW.licence_no, NEW.licence_valid_from, NEW.licence_valid_until);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER organizations_licence_periods AFTER INSERT OR UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION organizations_licence_periods();

-- A period, once recorded, is history: a mistaken one is followed by a correct one.
CREATE FUNCTION refuse_licence_period_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'facility_licences is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER facility_licences_no_update_delete BEFORE UPDATE OR DELETE ON facility_licences
    FOR EACH ROW EXECUTE FUNCTION refuse_licence_period_change();

-- The irradiator as the treatment used it: a later edit of the irradiator never rewrites a past
-- treatment (its record, certificate, scan page, export). Existing treatments take the
-- irradiator as it stands, unedited until now. A writer that names none (SQL by hand, an older
-- process) gets the irradiator's current details.
ALTER TABLE treatments
    ADD COLUMN irradiator_name            text,
    ADD COLUMN irradiator_source_type     text,
    ADD COLUMN irradiator_activity_kci    double precision,
    ADD COLUMN irradiator_max_energy_mev  double precision;
UPDATE treatments t
SET irradiator_name = i.name, irradiator_source_type = i.source_type,
    irradiator_activity_kci = i.activity_kci, irradiator_max_energy_mev = i.max_energy_mev
FROM irradiators i WHERE i.id = t.irradiator_id;

CREATE FUNCTION treatments_irradiator_copy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.irradiator_name IS NULL THEN
        SELECT i.name, i.source_type, i.activity_kci, i.max_energy_mev
        INTO NEW.irradiator_name, NEW.irradiator_source_type, NEW.irradiator_activity_kci,
             NEW.irradiator_max_energy_mev
        FROM irradiators i WHERE i.id = NEW.irradiator_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER treatments_irradiator_copy BEFORE INSERT ON treatments
    FOR EACH ROW EXECUTE FUNCTION treatments_irradiator_copy();
ALTER TABLE treatments
    ALTER COLUMN irradiator_name SET NOT NULL,
    ALTER COLUMN irradiator_source_type SET NOT NULL;
