-- Party organisations (党组织): each is a scope node under its parent
-- organisation, or under its park, or under the zone (the working
-- committee), so a secretary granted on a branch sees that branch and
-- what hangs under it. Dates are YYYY-MM-DD text (they sort as dates).
-- secretary_id names a person (people come later in the history; the
-- domain checks it).
CREATE TABLE orgs (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    parent_id      TEXT REFERENCES orgs(id),
    park_id        TEXT REFERENCES parks(id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    secretary_id   TEXT,
    founded_on     TEXT,
    term_ends_on   TEXT,
    has_committee  BOOLEAN NOT NULL DEFAULT FALSE,
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    search_key     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX orgs_zone ON orgs(zone_id, id);
CREATE INDEX orgs_parent ON orgs(parent_id, id);
CREATE INDEX orgs_park ON orgs(park_id, id);
CREATE INDEX orgs_term ON orgs(zone_id, term_ends_on);

-- The enterprises an organisation covers (a joint branch covers several).
CREATE TABLE org_enterprises (
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    PRIMARY KEY (org_id, enterprise_id)
);
CREATE INDEX org_enterprises_enterprise ON org_enterprises(enterprise_id);
