-- Scans per batch and day (Asia/Jakarta), kept as scans are written: the batch page's chart and
-- the scan statistics read a batch's few hundred days here instead of its whole scan history.
-- The rows outlive the scan log's monthly partitions: a month detached by `radura scans archive`
-- keeps its days in the chart.

-- No scan may be written between the backfill below and the trigger that takes over.
LOCK TABLE scans IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE scan_days (
    batch_id  uuid NOT NULL,
    day       date NOT NULL,
    genuine   bigint NOT NULL,
    expired   bigint NOT NULL,
    recalled  bigint NOT NULL,
    suspect   bigint NOT NULL,
    invalid   bigint NOT NULL,
    -- distinct client fingerprints that day, across verdicts
    clients   bigint NOT NULL,
    first_at  timestamptz NOT NULL,
    last_at   timestamptz NOT NULL,
    PRIMARY KEY (batch_id, day)
);

-- Each client once per batch and day: a scan adds to `clients` only when its row is new here.
CREATE TABLE scan_day_clients (
    batch_id     uuid NOT NULL,
    day          date NOT NULL,
    fingerprint  bytea NOT NULL,
    PRIMARY KEY (batch_id, day, fingerprint)
);

INSERT INTO scan_day_clients (batch_id, day, fingerprint)
SELECT DISTINCT batch_id, (scanned_at AT TIME ZONE 'Asia/Jakarta')::date, fingerprint FROM scans;

INSERT INTO scan_days
    (batch_id, day, genuine, expired, recalled, suspect, invalid, clients, first_at, last_at)
SELECT s.batch_id, s.day, s.genuine, s.expired, s.recalled, s.suspect, s.invalid,
       (SELECT count(*) FROM scan_day_clients c WHERE c.batch_id = s.batch_id AND c.day = s.day),
       s.first_at, s.last_at
FROM (
    SELECT batch_id, (scanned_at AT TIME ZONE 'Asia/Jakarta')::date AS day,
           count(*) FILTER (WHERE verdict = 'genuine') AS genuine,
           count(*) FILTER (WHERE verdict = 'expired') AS expired,
           count(*) FILTER (WHERE verdict = 'recalled') AS recalled,
           count(*) FILTER (WHERE verdict = 'suspect') AS suspect,
           count(*) FILTER (WHERE verdict = 'invalid') AS invalid,
           min(scanned_at) AS first_at, max(scanned_at) AS last_at
    FROM scans GROUP BY 1, 2
) s;

-- One run per INSERT or COPY into scans (the scan log's flush), over all its rows at once.
-- Rows are upserted in key order, the same in every process, so two flushes never deadlock.
CREATE FUNCTION scan_days_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH new_clients AS (
        INSERT INTO scan_day_clients AS c (batch_id, day, fingerprint)
        SELECT DISTINCT batch_id, (scanned_at AT TIME ZONE 'Asia/Jakarta')::date, fingerprint
        FROM new_scans ORDER BY 1, 2, 3
        ON CONFLICT DO NOTHING
        RETURNING c.batch_id, c.day
    ), client_counts AS (
        SELECT batch_id, day, count(*) AS n FROM new_clients GROUP BY 1, 2
    ), scan_counts AS (
        SELECT batch_id, (scanned_at AT TIME ZONE 'Asia/Jakarta')::date AS day,
               count(*) FILTER (WHERE verdict = 'genuine') AS genuine,
               count(*) FILTER (WHERE verdict = 'expired') AS expired,
               count(*) FILTER (WHERE verdict = 'recalled') AS recalled,
               count(*) FILTER (WHERE verdict = 'suspect') AS suspect,
               count(*) FILTER (WHERE verdict = 'invalid') AS invalid,
               min(scanned_at) AS first_at, max(scanned_at) AS last_at
        FROM new_scans GROUP BY 1, 2
    )
    INSERT INTO scan_days AS d
        (batch_id, day, genuine, expired, recalled, suspect, invalid, clients, first_at, last_at)
    SELECT s.batch_id, s.day, s.genuine, s.expired, s.recalled, s.suspect, s.invalid,
           coalesce(c.n, 0), s.first_at, s.last_at
    FROM scan_counts s LEFT JOIN client_counts c USING (batch_id, day)
    ORDER BY 1, 2
    ON CONFLICT (batch_id, day) DO UPDATE SET
        genuine = d.genuine + excluded.genuine,
        expired = d.expired + excluded.expired,
        recalled = d.recalled + excluded.recalled,
        suspect = d.suspect + excluded.suspect,
        invalid = d.invalid + excluded.invalid,
        clients = d.clients + excluded.clients,
        first_at = least(d.first_at, excluded.first_at),
        last_at = greatest(d.last_at, excluded.last_at);
    RETURN NULL;
END
$$;

-- Statement level on the partitioned table: fires for scans written through `scans` (the scan
-- log, demo data), not for rows the partition upkeep moves from the default partition into a
-- month's table, which were counted when first written.
CREATE TRIGGER scans_roll_up_days AFTER INSERT ON scans
    REFERENCING NEW TABLE AS new_scans
    FOR EACH STATEMENT EXECUTE FUNCTION scan_days_add();
