-- The party-building guidance service stations (党建工作指导服务站): each a
-- scope node under its park, and the enterprises each covers.
CREATE TABLE stations (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    park_id     TEXT NOT NULL REFERENCES parks(id),
    name        TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    lat         DOUBLE PRECISION,
    lng         DOUBLE PRECISION,
    search_key  TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX stations_zone ON stations(zone_id, id);
CREATE INDEX stations_park ON stations(park_id, id);

CREATE TABLE station_enterprises (
    station_id     TEXT NOT NULL REFERENCES stations(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    PRIMARY KEY (station_id, enterprise_id)
);
CREATE INDEX station_enterprises_enterprise ON station_enterprises(enterprise_id);
