-- Enterprises of the parks (园区企业): each is a scope node under its park,
-- so a partner granted on an enterprise, or a park's staff, see it.
-- search_key is search.Key(name, uscc, industry, address): the text q
-- matches, pinyin included. sample marks generated demo rows.
CREATE TABLE enterprises (
    id                  TEXT PRIMARY KEY,
    zone_id             TEXT NOT NULL REFERENCES zones(id),
    park_id             TEXT NOT NULL REFERENCES parks(id),
    name                TEXT NOT NULL,
    uscc                TEXT NOT NULL,
    industry            TEXT NOT NULL DEFAULT '',
    address             TEXT NOT NULL DEFAULT '',
    lat                 DOUBLE PRECISION,
    lng                 DOUBLE PRECISION,
    employees           INTEGER NOT NULL DEFAULT 0,
    rd_staff            INTEGER NOT NULL DEFAULT 0,
    monthly_output_fen  BIGINT,
    sample              BOOLEAN NOT NULL DEFAULT FALSE,
    search_key          TEXT NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    UNIQUE (zone_id, uscc)
);
CREATE INDEX enterprises_zone ON enterprises(zone_id, id);
CREATE INDEX enterprises_park ON enterprises(park_id, id);
CREATE INDEX enterprises_industry ON enterprises(zone_id, industry);
