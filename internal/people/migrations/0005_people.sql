-- People: workers, party members, volunteers, staff. A person attaches to
-- the scope tree by their enterprise and by their party organisation.
-- Phone and ID number are stored only sealed (secret.Keys.Seal: key id and
-- AES-GCM ciphertext) with a blind index (keyed hash of the normalised
-- value) for exact lookup and uniqueness; NULL index when there is none.
-- party_status is NULL for non-members, else full|probationary.
-- last_contact_on: the last meeting attended or dues paid (out-of-contact
-- members are flagged after 6 months).
CREATE TABLE people (
    id               TEXT PRIMARY KEY,
    zone_id          TEXT NOT NULL REFERENCES zones(id),
    name             TEXT NOT NULL,
    gender           TEXT NOT NULL DEFAULT '',
    phone_sealed     TEXT NOT NULL DEFAULT '',
    phone_index      TEXT,
    id_sealed        TEXT NOT NULL DEFAULT '',
    id_index         TEXT,
    enterprise_id    TEXT REFERENCES enterprises(id),
    org_id           TEXT REFERENCES orgs(id),
    party_status     TEXT,
    joined_on        TEXT,
    last_contact_on  TEXT,
    sample           BOOLEAN NOT NULL DEFAULT FALSE,
    search_key       TEXT NOT NULL,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (zone_id, id_index)
);
CREATE INDEX people_zone ON people(zone_id, id);
CREATE INDEX people_enterprise ON people(enterprise_id, id);
CREATE INDEX people_org ON people(org_id, id);
CREATE INDEX people_phone ON people(zone_id, phone_index);

CREATE TABLE person_tags (
    person_id  TEXT NOT NULL REFERENCES people(id),
    zone_id    TEXT NOT NULL REFERENCES zones(id),
    tag        TEXT NOT NULL,
    PRIMARY KEY (person_id, tag)
);
CREATE INDEX person_tags_tag ON person_tags(zone_id, tag, person_id);

-- Membership transfers (组织关系转接), in, out and between organisations.
-- from_org_id is NULL for a transfer into the zone, to_org_id for one out.
CREATE TABLE party_transfers (
    id           TEXT PRIMARY KEY,
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    person_id    TEXT NOT NULL REFERENCES people(id),
    from_org_id  TEXT REFERENCES orgs(id),
    to_org_id    TEXT REFERENCES orgs(id),
    outside_org  TEXT NOT NULL DEFAULT '',
    on_date      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    actor_id     TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX party_transfers_person ON party_transfers(person_id, id);
