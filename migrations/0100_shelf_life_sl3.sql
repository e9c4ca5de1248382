-- radura-sl/3 (SPEC §4, DOMAIN §8): the facts a product needs so that its date is never unsafe.

-- The typical minimum absorbed dose of each (category, purpose) (DOMAIN §1.1, §8.6; Codex CXS 106
-- §2.2: the minimum dose must achieve the purpose). A product whose validated minimum is below it
-- needs a process-validation reference. Held only where it is below the row's legal maximum
-- (mango's shelf-life row allows 0.75 kGy, below the typical 1.5; dry goods' microbial row allows
-- 5.0, below spice sanitation's 6.5) and for purposes that have one (not ripening delay, not
-- parasite control). Editable data with its source, like the maximum.
ALTER TABLE food_category_purposes
    ADD COLUMN typical_min_dose_kgy double precision CHECK (typical_min_dose_kgy > 0),
    ADD COLUMN typical_min_dose_source text,
    ADD CONSTRAINT food_category_purposes_typical_min_source
        CHECK (typical_min_dose_kgy IS NULL OR typical_min_dose_source IS NOT NULL);

UPDATE food_category_purposes fcp
SET typical_min_dose_kgy = typical.dose_kgy,
    typical_min_dose_source = 'foodirradiation.org terminology page, typical minimum for '
        || typical.what || ' (secondary source; DOMAIN §1.1, §8.6)'
FROM (VALUES
    ('sprout_inhibition', 0.05, 'sprout inhibition'),
    ('quarantine', 0.15, 'fruit-fly quarantine'),
    ('disinfestation', 0.40, 'other insects'),
    ('extend_shelf_life', 1.5, 'shelf-life extension'),
    ('reduce_pathogens', 1.5, 'meat/poultry pathogen reduction'),
    ('eliminate_salmonella', 1.5, 'meat/poultry pathogen reduction'),
    ('reduce_microbial_load', 6.5, 'spice sanitation'),
    ('sterilisation', 45, 'food sterilisation')
) AS typical (purpose, dose_kgy, what)
WHERE fcp.purpose = typical.purpose AND typical.dose_kgy < fcp.max_dose_kgy;

-- Products: packaging `hermetic` (a sealed jar, bottle, can or retort pouch, or food covered in
-- oil: reduced-oxygen, DOMAIN §8.2); the conditions the storage study validated (a study holds
-- only inside them); the process-validation reference; the HS code for export papers.
ALTER TABLE products DROP CONSTRAINT products_packaging_check;
ALTER TABLE products
    ADD CONSTRAINT products_packaging_check
        CHECK (packaging IN ('air', 'vacuum', 'map', 'hermetic')),
    ADD COLUMN validated_study_temp_c double precision
        CHECK (validated_study_temp_c BETWEEN -40 AND 60),
    ADD COLUMN validated_study_dose_kgy double precision
        CHECK (validated_study_dose_kgy BETWEEN 0 AND 100),
    ADD COLUMN validated_study_packaging text
        CHECK (validated_study_packaging IN ('air', 'vacuum', 'map', 'hermetic')),
    ADD COLUMN process_validation_ref text CHECK (char_length(process_validation_ref) BETWEEN 1 AND 120),
    ADD COLUMN hs_code text CHECK (hs_code ~ '^[0-9]{6,10}$'),
    -- a study recorded before its conditions existed keeps none (release refuses it with
    -- `study_conditions_missing` until the producer adds them); conditions need a study
    ADD CONSTRAINT products_study_conditions
        CHECK (validated_shelf_life_days IS NOT NULL OR (validated_study_temp_c IS NULL
               AND validated_study_dose_kgy IS NULL AND validated_study_packaging IS NULL));

-- A producer's in-place amendment of a product's evidence is logged like an administrator's change.
ALTER TABLE admin_audit_log DROP CONSTRAINT admin_audit_log_action_check;
ALTER TABLE admin_audit_log DROP CONSTRAINT admin_audit_log_subject_type_check;
ALTER TABLE admin_audit_log
    ADD CONSTRAINT admin_audit_log_action_check CHECK (action IN (
        'organization.created', 'user.created', 'user.disabled', 'user.invited',
        'irradiator.created', 'dose_map.created', 'food_category.limit_changed',
        'product.amended')),
    ADD CONSTRAINT admin_audit_log_subject_type_check CHECK (subject_type IN (
        'organization', 'user', 'irradiator', 'dose_map', 'food_category', 'product'));
