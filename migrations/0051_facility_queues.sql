-- The facility's incoming and QA queues: one status of one facility's batches, oldest first.
CREATE INDEX batches_facility_status ON batches (facility_id, status, created_at, id);
