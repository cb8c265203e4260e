-- One scope model for every kind of node, and a harder audit log.
--
-- Scope: a grant covers the subtree of its node; rows attach to nodes by id
-- and are matched with "node IN (SELECT id FROM scope_nodes WHERE path
-- range)". Paths are compared byte-wise (COLLATE "C" on PostgreSQL, whose
-- default collations ignore '/' and '-'), so a prefix is one index range.
-- Grants no longer copy their node's kind and path: they join scope_nodes,
-- so moving a subtree moves every grant in it.

-- dialect: postgres
ALTER TABLE scope_nodes ALTER COLUMN path TYPE TEXT COLLATE "C";
-- dialect: all
DROP INDEX scope_nodes_zone;
CREATE INDEX scope_nodes_path ON scope_nodes(path);
CREATE INDEX scope_nodes_parent ON scope_nodes(parent_id);

ALTER TABLE grants DROP COLUMN scope_kind;
ALTER TABLE grants DROP COLUMN scope_path;

-- Audit entries carry the path of the node they happened under (at the
-- time), so an auditor of a park sees that park's entries and nothing else,
-- and the server's own request id next to the one the client sent.
-- dialect: sqlite
DROP TRIGGER audit_log_append_only;
ALTER TABLE audit_log ADD COLUMN scope_path TEXT NOT NULL DEFAULT '';
-- dialect: postgres
DROP TRIGGER audit_log_append_only ON audit_log;
ALTER TABLE audit_log ADD COLUMN scope_path TEXT COLLATE "C" NOT NULL DEFAULT '';
-- dialect: all
ALTER TABLE audit_log ADD COLUMN client_request_id TEXT NOT NULL DEFAULT '';
UPDATE audit_log SET scope_path = CASE
    WHEN park_id IS NOT NULL AND zone_id IS NOT NULL THEN '/' || zone_id || '/' || park_id || '/'
    WHEN zone_id IS NOT NULL THEN '/' || zone_id || '/'
    ELSE '' END;
ALTER TABLE audit_log DROP COLUMN park_id;
CREATE INDEX audit_scope ON audit_log(scope_path);

-- The retention the pruning job applies. The database itself refuses to
-- delete an audit entry younger than it (and never less than a day), to
-- empty the table, or to drop the setting.
CREATE TABLE audit_retention (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    retention_us  BIGINT NOT NULL CHECK (retention_us >= 86400000000)
);
INSERT INTO audit_retention (id, retention_us) VALUES (1, 94608000000000);

-- dialect: sqlite
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_retained BEFORE DELETE ON audit_log
WHEN (SELECT retention_us FROM audit_retention WHERE id = 1) IS NULL
  OR OLD.at >= CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER) - (SELECT retention_us FROM audit_retention WHERE id = 1)
BEGIN
    SELECT RAISE(ABORT, 'audit_log: only entries past the retention may be deleted');
END;
CREATE TRIGGER audit_retention_kept BEFORE DELETE ON audit_retention
BEGIN
    SELECT RAISE(ABORT, 'audit_retention cannot be deleted');
END;
-- dialect: postgres
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE FUNCTION audit_log_retained() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    keep BIGINT;
BEGIN
    SELECT retention_us INTO keep FROM audit_retention WHERE id = 1;
    IF keep IS NULL OR OLD.at >= (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT - keep THEN
        RAISE EXCEPTION 'audit_log: only entries past the retention may be deleted';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER audit_log_retained BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_retained();
CREATE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% cannot be emptied or deleted', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE TRIGGER audit_retention_kept BEFORE DELETE OR TRUNCATE ON audit_retention
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
-- dialect: all

-- An idempotent replay answers with the first answer's headers too.
ALTER TABLE idempotency_keys ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';

-- Sign-in throttling reserves an attempt before the password is checked.
-- Each reservation first takes the row of its key here (an upsert, which
-- PostgreSQL locks until commit), so concurrent attempts for one key — on
-- any replica — count one after another.
CREATE TABLE login_locks (
    key  TEXT PRIMARY KEY,
    at   BIGINT NOT NULL
);
