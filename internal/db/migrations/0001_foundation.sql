-- Foundation: zones, the scope tree, parks, users and grants, sessions,
-- login throttling, idempotency keys and the audit log.
-- Times are BIGINT microseconds since the Unix epoch (see db/time.go).
-- One file serves both engines; "-- dialect:" lines mark where they differ.

CREATE TABLE zones (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- One row per node a grant can name (zone, park, enterprise, party
-- organisation, service point). path is "/<zone>/<park>/…/<id>/", so a grant
-- on node G covers node N when N.path starts with G.path.
CREATE TABLE scope_nodes (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    kind        TEXT NOT NULL,
    parent_id   TEXT,
    path        TEXT NOT NULL,
    name        TEXT NOT NULL
);
CREATE INDEX scope_nodes_zone ON scope_nodes(zone_id, path);

CREATE TABLE parks (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    name        TEXT NOT NULL,
    code        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (zone_id, code)
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    person_id      TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX users_zone ON users(zone_id, id);

CREATE TABLE grants (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    scope_id    TEXT NOT NULL,
    scope_kind  TEXT NOT NULL,
    scope_path  TEXT NOT NULL,
    granted_by  TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (user_id, role, scope_id)
);
CREATE INDEX grants_scope ON grants(scope_id);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    client_addr   TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE login_failures (
    id    TEXT PRIMARY KEY,
    key   TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);

CREATE TABLE idempotency_keys (
    user_id       TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    content_type  TEXT NOT NULL,
-- dialect: sqlite
    body          BLOB NOT NULL,
-- dialect: postgres
    body          BYTEA NOT NULL,
-- dialect: all
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    zone_id      TEXT,
    park_id      TEXT,
    at  BIGINT NOT NULL,
    actor_id     TEXT,
    actor_name   TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    action       TEXT NOT NULL,
    summary      TEXT NOT NULL
);
CREATE INDEX audit_zone_at ON audit_log(zone_id, at);
CREATE INDEX audit_entity ON audit_log(entity_id);
CREATE INDEX audit_actor ON audit_log(actor_id, at);

-- dialect: sqlite
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- dialect: postgres
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
