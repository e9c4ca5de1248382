-- Issued label serials, and the scan log partitioned by month.

CREATE TABLE label_serials (
    batch_id   uuid NOT NULL REFERENCES batches (id),
    serial     char(10) NOT NULL,
    issued_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, serial)
);

CREATE TABLE scans (
    scanned_at   timestamptz NOT NULL,
    batch_id     uuid NOT NULL,
    serial       text,
    verdict      text NOT NULL,
    fingerprint  bytea NOT NULL
) PARTITION BY RANGE (scanned_at);
CREATE TABLE scans_default PARTITION OF scans DEFAULT;
CREATE INDEX scans_batch ON scans (batch_id, scanned_at);

-- Creates the monthly partitions from this month to `months_ahead` months on; run at start-up
-- and by `radura migrate`, so rows land in their month and old months can be detached.
CREATE FUNCTION ensure_scan_partitions(months_ahead integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    month_start date := date_trunc('month', now() AT TIME ZONE 'UTC')::date;
    i integer;
    part_name text;
BEGIN
    FOR i IN 0..months_ahead LOOP
        part_name := format('scans_%s', to_char(month_start + make_interval(months => i), 'YYYY_MM'));
        IF to_regclass(part_name) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE %I PARTITION OF scans FOR VALUES FROM (%L) TO (%L)',
                part_name,
                (month_start + make_interval(months => i))::timestamp AT TIME ZONE 'UTC',
                (month_start + make_interval(months => i + 1))::timestamp AT TIME ZONE 'UTC');
        END IF;
    END LOOP;
END
$$;
SELECT ensure_scan_partitions(2);
