-- Red workshops (红色车间): a branch built into a workshop of an
-- enterprise, its members, and its monthly output value (fen) by month
-- (YYYY-MM).
CREATE TABLE workshops (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    org_id         TEXT REFERENCES orgs(id),
    name           TEXT NOT NULL,
    search_key     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX workshops_zone ON workshops(zone_id, id);
CREATE INDEX workshops_enterprise ON workshops(enterprise_id, id);
CREATE INDEX workshops_org ON workshops(org_id, id);

CREATE TABLE workshop_members (
    workshop_id  TEXT NOT NULL REFERENCES workshops(id),
    person_id    TEXT NOT NULL REFERENCES people(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    PRIMARY KEY (workshop_id, person_id)
);
CREATE INDEX workshop_members_person ON workshop_members(person_id);

CREATE TABLE workshop_outputs (
    workshop_id  TEXT NOT NULL REFERENCES workshops(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    month        TEXT NOT NULL,
    output_fen   BIGINT NOT NULL,
    PRIMARY KEY (workshop_id, month)
);
