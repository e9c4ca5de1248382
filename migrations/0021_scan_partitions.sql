-- Monthly scan partitions that can still be made after their month's scans reached the default
-- partition (an app left running past the months `radura migrate` had made): those rows move into
-- the new month's table before it is attached, where attaching used to fail on them. The app calls
-- this at start and daily, `radura migrate` after migrating, so one caller waits for the other.
CREATE OR REPLACE FUNCTION ensure_scan_partitions(months_ahead integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
    month_start timestamp;
    part_name text;
    lower_bound timestamptz;
    upper_bound timestamptz;
BEGIN
    -- one caller at a time (until commit), so two never create the same month; "SCANPT" in ASCII
    PERFORM pg_advisory_xact_lock(91548323565652);
    FOR month_start IN
        SELECT this_month + make_interval(months => i) FROM generate_series(0, months_ahead) AS i
        UNION
        -- earlier months whose scans sit in the default partition get their table too
        SELECT date_trunc('month', scanned_at AT TIME ZONE 'UTC') FROM scans_default
        WHERE scanned_at < this_month AT TIME ZONE 'UTC'
        ORDER BY 1
    LOOP
        part_name := format('scans_%s', to_char(month_start, 'YYYY_MM'));
        -- a catalog query, not to_regclass(): it sees a month that a caller we waited for made
        CONTINUE WHEN EXISTS (
            SELECT FROM pg_inherits JOIN pg_class ON pg_class.oid = pg_inherits.inhrelid
            WHERE pg_inherits.inhparent = 'scans'::regclass AND pg_class.relname = part_name);
        lower_bound := month_start AT TIME ZONE 'UTC';
        upper_bound := (month_start + interval '1 month') AT TIME ZONE 'UTC';
        -- No scan may land in the default partition between the move and the attach; reads go on.
        LOCK TABLE scans_default IN EXCLUSIVE MODE;
        EXECUTE format(
            'CREATE TABLE %I (LIKE scans INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name);
        EXECUTE format(
            'WITH moved AS (DELETE FROM scans_default WHERE scanned_at >= $1 AND scanned_at < $2 '
            || 'RETURNING *) INSERT INTO %I SELECT * FROM moved', part_name)
            USING lower_bound, upper_bound;
        -- attaching also builds the month's copy of the scans index, after the rows are in
        EXECUTE format(
            'ALTER TABLE scans ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
            part_name, lower_bound, upper_bound);
    END LOOP;
END
$$;
