-- Public verification: per-label scan tallies, the distinct clients that scanned each serial (the
-- clone rule), and the NOTIFY that makes every process drop its cached label views on a change.

-- One row per label (batch, serial; '' for the batch-level label), kept by the scan-log flusher,
-- so a scan's "seen N times since …" is one primary-key read, never a count over the scan log.
CREATE TABLE label_scan_tallies (
    batch_id    uuid NOT NULL,
    serial      text NOT NULL,
    scan_count  bigint NOT NULL CHECK (scan_count > 0),
    first_at    timestamptz NOT NULL,
    last_at     timestamptz NOT NULL,
    PRIMARY KEY (batch_id, serial)
);

-- The distinct client fingerprints that scanned a serial. A serial scanned from more than
-- RADURA_CLONE_THRESHOLD of them is `suspect`: reading threshold + 1 rows of this primary key
-- answers that, however many times the label was scanned. No foreign keys: batches are never
-- deleted, and this table takes a write per new client on the hot path's flush.
CREATE TABLE label_fingerprints (
    batch_id     uuid NOT NULL,
    serial       text NOT NULL,
    fingerprint  bytea NOT NULL,
    first_seen   timestamptz NOT NULL,
    PRIMARY KEY (batch_id, serial, fingerprint)
);

-- Every process LISTENs on this channel and drops cached label views: the payload is a batch id,
-- or '*' when a change (product, organization, treatment…) may touch any label. A trigger rather
-- than the recall code, so any writer — the API, psql, another process — invalidates the caches.
CREATE FUNCTION notify_label_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'batches' THEN
        PERFORM pg_notify('radura_label_change', COALESCE(NEW.id, OLD.id)::text);
    ELSE
        PERFORM pg_notify('radura_label_change', '*');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER batches_label_change AFTER UPDATE OR DELETE ON batches
    FOR EACH ROW EXECUTE FUNCTION notify_label_change();

CREATE TRIGGER products_label_change AFTER UPDATE OR DELETE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION notify_label_change();
CREATE TRIGGER organizations_label_change AFTER UPDATE OR DELETE ON organizations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_label_change();
CREATE TRIGGER treatments_label_change AFTER UPDATE OR DELETE ON treatments
    FOR EACH STATEMENT EXECUTE FUNCTION notify_label_change();
CREATE TRIGGER irradiators_label_change AFTER UPDATE OR DELETE ON irradiators
    FOR EACH STATEMENT EXECUTE FUNCTION notify_label_change();
CREATE TRIGGER label_serials_label_change AFTER UPDATE OR DELETE ON label_serials
    FOR EACH STATEMENT EXECUTE FUNCTION notify_label_change();
CREATE TRIGGER food_categories_label_change AFTER UPDATE OR DELETE ON food_categories
    FOR EACH STATEMENT EXECUTE FUNCTION notify_label_change();
