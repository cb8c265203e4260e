-- Party alliances (党建联盟): a lead organisation and member organisations,
-- in a park (or zone-wide when park_id is NULL).
CREATE TABLE alliances (
    id           TEXT PRIMARY KEY,
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    park_id      TEXT REFERENCES parks(id),
    name         TEXT NOT NULL,
    lead_org_id  TEXT REFERENCES orgs(id),
    search_key   TEXT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX alliances_zone ON alliances(zone_id, id);
CREATE INDEX alliances_park ON alliances(park_id, id);

CREATE TABLE alliance_orgs (
    alliance_id  TEXT NOT NULL REFERENCES alliances(id),
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    PRIMARY KEY (alliance_id, org_id)
);
CREATE INDEX alliance_orgs_org ON alliance_orgs(org_id);
