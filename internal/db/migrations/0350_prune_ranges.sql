-- The hourly pruning jobs delete a range of time, read from an index: the
-- audit log's (audit.pruneBefore) had none on its time alone and scanned
-- the whole log every hour, which keeps three years of entries (1,000,000
-- entries on SQLite: 108 ms of the one writer's lock against 23 µs with
-- the index, before any row is deleted); the idempotency keys'
-- (idem.pruneBefore) likewise scanned every key of the day. Each index
-- grows at its right edge, as both tables do.
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
