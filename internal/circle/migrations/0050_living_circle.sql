-- The 15-minute living circle (15分钟便民生活圈): the facilities around the
-- parks, the catalogue of facility categories each circle requires, and
-- the walking network.

-- A zone's catalogue of resource categories. A zone whose catalogue has
-- never been edited has no rows here: it uses the built-in default (GB
-- 50180-2018). The first edit copies the default in and marks the zone in
-- resource_catalogues, in the same transaction; the marker row is also what
-- serialises concurrent edits of one catalogue.
CREATE TABLE resource_catalogues (
    zone_id     TEXT PRIMARY KEY REFERENCES zones(id),
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  BIGINT NOT NULL
);
CREATE TABLE resource_categories (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL DEFAULT '',
    circle      INTEGER,
    sort        INTEGER NOT NULL DEFAULT 0,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (zone_id, code)
);

-- Resources: facilities (hospitals, schools, shops …), each in a park.
CREATE TABLE resources (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    park_id     TEXT NOT NULL REFERENCES parks(id),
    name        TEXT NOT NULL,
    category    TEXT NOT NULL,
    address     TEXT NOT NULL DEFAULT '',
    lat         DOUBLE PRECISION NOT NULL,
    lng         DOUBLE PRECISION NOT NULL,
    sample      BOOLEAN NOT NULL DEFAULT FALSE,
    search_key  TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX resources_zone ON resources(zone_id, id);
CREATE INDEX resources_park ON resources(park_id, id);
CREATE INDEX resources_category ON resources(zone_id, category);

-- The walking network of a zone: the GeoJSON as imported (normalised: the
-- LineStrings and their names), replaced whole by each import. The graph
-- is built from it in memory and cached by version.
CREATE TABLE road_networks (
    zone_id     TEXT PRIMARY KEY REFERENCES zones(id),
    id          TEXT NOT NULL,
    geojson     TEXT NOT NULL,
    features    INTEGER NOT NULL,
    segments    INTEGER NOT NULL,
    length_m    DOUBLE PRECISION NOT NULL,
    min_lat     DOUBLE PRECISION,
    min_lng     DOUBLE PRECISION,
    max_lat     DOUBLE PRECISION,
    max_lng     DOUBLE PRECISION,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
