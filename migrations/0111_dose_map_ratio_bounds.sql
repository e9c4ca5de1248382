-- A dose map's ratios are held to what a dose-mapping study can find (SPEC §3.3, DOMAIN.md §7):
-- ratio_min (lowest dose ÷ reference) in [0.2, 1], ratio_max (highest ÷ reference) in [1, 5].
-- The old check let ratio_min be any positive number: 5e-324 made every treatment using the map
-- divide by zero (DUR infinite) and 1e-300 stored a DUR of 2e303.
--
-- The constraint is added NOT VALID (it holds every new and edited row at once) and then
-- validated only when every existing row already satisfies it. A row outside the bounds is
-- reported in a NOTICE and stays as it was, and the constraint stays NOT VALID: failing this
-- migration would stop the whole upgrade (and every later migration) on a record only the
-- facility can correct, and deleting or clamping a dose map would change the dose record of
-- treatments that used it. Once the rows are corrected, `ALTER TABLE dose_maps VALIDATE
-- CONSTRAINT dose_maps_ratio_bounds` finishes the job.

ALTER TABLE dose_maps ADD CONSTRAINT dose_maps_ratio_bounds
    CHECK (ratio_min BETWEEN 0.2 AND 1 AND ratio_max BETWEEN 1 AND 5) NOT VALID;

DO $$
DECLARE
    outside text;
BEGIN
    SELECT string_agg(format('%s (ratio_min %s, ratio_max %s)', id, ratio_min, ratio_max),
                      ', ' ORDER BY created_at, id)
      INTO outside
      FROM dose_maps
     WHERE NOT (ratio_min BETWEEN 0.2 AND 1 AND ratio_max BETWEEN 1 AND 5);
    IF outside IS NULL THEN
        ALTER TABLE dose_maps VALIDATE CONSTRAINT dose_maps_ratio_bounds;
    ELSE
        RAISE NOTICE 'dose maps outside the ratio bounds [0.2, 1] and [1, 5], left as they are '
                     '(dose_maps_ratio_bounds stays NOT VALID until they are corrected): %',
                     outside;
    END IF;
END
$$;
