-- Each write of the scan log records its id in the same transaction. A writer whose connection
-- broke while committing (the server stopping) cannot tell whether the write landed; before
-- writing those scans again it looks the id up here, so no scan or tally is counted twice.
-- Ids older than a day are deleted by the writers themselves.

CREATE TABLE scan_flushes (
    id uuid PRIMARY KEY,
    written_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX scan_flushes_written_at ON scan_flushes (written_at);
