-- Indexes behind the console's dashboard and batch search (plans checked with EXPLAIN on a
-- producer with 10 000 batches, tests/perf/bench_console.py).

-- the dashboard's counts by status, its recalls and its best-before dates coming up
CREATE INDEX batches_producer_status ON batches (producer_id, status, best_before);

-- search by the start of a lot or a code, whatever case was typed
CREATE INDEX batches_lot_prefix ON batches (upper(lot) text_pattern_ops);
CREATE INDEX batches_code_prefix ON batches (code bpchar_pattern_ops);

-- labels scanned this week: the tallies touched since a day
CREATE INDEX label_scan_tallies_last_at ON label_scan_tallies (last_at);

-- suspect scans are rare: a partial index finds them without reading the scan log
CREATE INDEX scans_suspect ON scans (scanned_at) WHERE verdict = 'suspect';
