-- The service network (服务网): service points (each a scope node under its
-- park), the zone's service catalogue, the services each point offers,
-- service requests with their timeline and photos, the notifications that
-- escalation leaves for a park's staff, and the API keys Open311 clients
-- post with.
CREATE TABLE service_points (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    park_id     TEXT NOT NULL REFERENCES parks(id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('center', 'point')),
    address     TEXT NOT NULL DEFAULT '',
    lat         DOUBLE PRECISION,
    lng         DOUBLE PRECISION,
    hours       TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX service_points_zone ON service_points(zone_id, id);
-- Two points of one park under one name could not be told apart.
CREATE UNIQUE INDEX service_points_park_name ON service_points(park_id, name);

-- The catalogue, per zone. A zone's default catalogue is written once, the
-- first time the zone's catalogue is used (service_catalogues marks it), so
-- a service the zone deleted is not brought back.
CREATE TABLE service_catalogues (
    zone_id     TEXT PRIMARY KEY REFERENCES zones(id),
    seeded_at   BIGINT NOT NULL
);
CREATE TABLE services (
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    function    TEXT NOT NULL CHECK (function IN ('political', 'development', 'governance', 'service')),
    sla_hours   INTEGER NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (zone_id, code)
);

CREATE TABLE service_point_services (
    point_id      TEXT NOT NULL REFERENCES service_points(id),
    service_code  TEXT NOT NULL,
    zone_id       TEXT NOT NULL REFERENCES zones(id),
    PRIMARY KEY (point_id, service_code),
    FOREIGN KEY (zone_id, service_code) REFERENCES services(zone_id, code)
);
CREATE INDEX service_point_services_code ON service_point_services(zone_id, service_code);

CREATE TABLE service_requests (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    park_id        TEXT NOT NULL REFERENCES parks(id),
    point_id       TEXT NOT NULL REFERENCES service_points(id),
    service_code   TEXT NOT NULL,
    description    TEXT NOT NULL,
    requester_id   TEXT,
    contact_name   TEXT NOT NULL DEFAULT '',
    contact_phone  TEXT NOT NULL DEFAULT '', -- sealed (secret.Keys)
    address        TEXT NOT NULL DEFAULT '',
    lat            DOUBLE PRECISION,
    lng            DOUBLE PRECISION,
    status         TEXT NOT NULL,
    assignee_id    TEXT REFERENCES users(id),
    due_at         BIGINT NOT NULL,
    overdue_at     BIGINT,          -- set once, by the overdue job
    rating         INTEGER,
    source         TEXT NOT NULL,   -- api | open311
    created_by     TEXT,            -- the account that filed it (null: an Open311 client)
    api_key_id     TEXT,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    FOREIGN KEY (zone_id, service_code) REFERENCES services(zone_id, code)
);
CREATE INDEX service_requests_zone ON service_requests(zone_id, id);
CREATE INDEX service_requests_point ON service_requests(point_id, id);
CREATE INDEX service_requests_creator ON service_requests(created_by, id);
-- The overdue job's scan: open requests by deadline, not yet flagged.
CREATE INDEX service_requests_due ON service_requests(due_at) WHERE overdue_at IS NULL;

CREATE TABLE service_request_events (
    id          TEXT PRIMARY KEY,
    request_id  TEXT NOT NULL REFERENCES service_requests(id),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    at          BIGINT NOT NULL,
    actor_id    TEXT,            -- null: the system (a job) or an Open311 client
    action      TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX service_request_events_request ON service_request_events(request_id, at, id);

CREATE TABLE service_request_photos (
    id            TEXT PRIMARY KEY,
    request_id    TEXT NOT NULL REFERENCES service_requests(id),
    zone_id       TEXT NOT NULL REFERENCES zones(id),
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    created_by    TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX service_request_photos_request ON service_request_photos(request_id, id);

-- In-app notifications for a park's staff (escalations). One per request,
-- kind and deadline (a reopened request has a new deadline and may be
-- escalated again): the unique key backs the job's claim.
CREATE TABLE service_notifications (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    park_id     TEXT NOT NULL REFERENCES parks(id),
    request_id  TEXT NOT NULL REFERENCES service_requests(id),
    kind        TEXT NOT NULL,
    due_at      BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (request_id, kind, due_at)
);
CREATE INDEX service_notifications_park ON service_notifications(park_id, id);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    created_by  TEXT,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_zone ON api_keys(zone_id, id);
