-- The principal epoch: a counter that every change able to alter what a
-- session token stands for moves forward, in the changing transaction — a
-- session ended (logout, password change, pruning), a user changed or
-- removed, a grant given, changed or taken back, a scope node moved or
-- removed. Servers remember principals (auth.Principals) and forget them
-- all when the epoch moves. Triggers, not the services' code, move it, so
-- that no writer (a service, `tongxin user`, a hand-written UPDATE) can
-- change a principal without it. On PostgreSQL the change is also
-- announced on the channel tongxin_principals (delivered at commit), so
-- that the other replicas forget at once.
-- Session inserts and the sliding of a session's expiry do not move it:
-- a new token was never remembered, and an expiry only moves forward.
CREATE TABLE principal_epoch (
    id  INTEGER PRIMARY KEY,
    n   BIGINT NOT NULL
);
INSERT INTO principal_epoch (id, n) VALUES (1, 0);

-- dialect: sqlite
CREATE TRIGGER sessions_principal_delete AFTER DELETE ON sessions BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER sessions_principal_update AFTER UPDATE OF token_hash, user_id, csrf_token, created_at ON sessions BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER users_principal_update AFTER UPDATE ON users BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER users_principal_delete AFTER DELETE ON users BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER grants_principal_insert AFTER INSERT ON grants BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER grants_principal_update AFTER UPDATE ON grants BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER grants_principal_delete AFTER DELETE ON grants BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER scope_nodes_principal_update AFTER UPDATE OF id, zone_id, kind, path ON scope_nodes BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
CREATE TRIGGER scope_nodes_principal_delete AFTER DELETE ON scope_nodes BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
END;
-- dialect: postgres
CREATE FUNCTION principal_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE principal_epoch SET n = n + 1 WHERE id = 1;
    PERFORM pg_notify('tongxin_principals', '');
    RETURN NULL;
END $$;
CREATE TRIGGER sessions_principal_delete AFTER DELETE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION principal_changed();
CREATE TRIGGER sessions_principal_update AFTER UPDATE OF token_hash, user_id, csrf_token, created_at ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION principal_changed();
CREATE TRIGGER users_principal_change AFTER UPDATE OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION principal_changed();
CREATE TRIGGER grants_principal_change AFTER INSERT OR UPDATE OR DELETE ON grants
    FOR EACH STATEMENT EXECUTE FUNCTION principal_changed();
CREATE TRIGGER scope_nodes_principal_update AFTER UPDATE OF id, zone_id, kind, path ON scope_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION principal_changed();
CREATE TRIGGER scope_nodes_principal_delete AFTER DELETE ON scope_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION principal_changed();
-- dialect: all
