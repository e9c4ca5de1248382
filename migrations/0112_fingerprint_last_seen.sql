-- A serial's clone tally counts only the clients seen in the last 30 days (SPEC §6): a genuine
-- label passes through many hands over months, a cloned one is scanned by many at once. The
-- scan log moves `last_seen` forward when a client scans the serial again; until then an
-- existing row was last seen when it was first seen.
ALTER TABLE label_fingerprints ADD COLUMN last_seen timestamptz;
UPDATE label_fingerprints SET last_seen = first_seen;
ALTER TABLE label_fingerprints ALTER COLUMN last_seen SET NOT NULL,
    ALTER COLUMN last_seen SET DEFAULT now();
