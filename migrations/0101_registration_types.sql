-- Registration numbers get their scheme (SPEC §3.2 "Registration types"): MD, ML, P-IRT or PSAT,
-- read from the stored number (`MD224510001234`, `P-IRT206367401004527`, `PSAT-PD12345678`).
-- Every existing number stays as it is. Which scheme a product may carry depends on its category,
-- its storage and the shelf-life model's date, so a product stored before those rules is judged
-- by the service when its page is shown or a batch of it is registered, not here.

ALTER TABLE products ADD COLUMN registration_type text GENERATED ALWAYS AS (
    CASE
        WHEN registration_no ~ '^M[DL][0-9]{12}$' THEN substr(registration_no, 1, 2)
        WHEN registration_no ~ '^P-IRT[0-9]{15}$' THEN 'P-IRT'
        WHEN registration_no ~ '^PSAT-(PDUK|PD|PL)[0-9]{8,20}$' THEN 'PSAT'
    END
) STORED;

-- New and edited numbers are stored in one of those forms; rows written before are not checked
-- (NOT VALID), so an odd number written by hand some day survives the upgrade untouched.
ALTER TABLE products ADD CONSTRAINT products_registration_no_form
    CHECK (registration_no IS NULL OR registration_type IS NOT NULL) NOT VALID;
