-- Indexes behind the regulator's overview (tests/perf/bench_console.py): the rare outcomes —
-- nonconforming treatments, rejects, recalls — each found by its own small partial index, and
-- batches per facility per month read from a range of the registration index.

CREATE INDEX treatments_nonconforming ON treatments (recorded_at) WHERE NOT conforming;
CREATE INDEX batches_rejected ON batches (rejected_at) WHERE status = 'rejected';
CREATE INDEX batches_recalled ON batches (recalled_at) WHERE status = 'recalled';
