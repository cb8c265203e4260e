-- The artery (大动脉): industry chains and their segments, research
-- institutes, listings (needs and offers), matches between them and the
-- cooperation projects that come out of them.

-- An industry chain of the zone (食品, 家居, 装备 …) and its segments, each
-- upstream, midstream or downstream; enterprises sit in segments.
CREATE TABLE chains (
    id           TEXT PRIMARY KEY,
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    search_key   TEXT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX chains_zone_name ON chains(zone_id, name);

CREATE TABLE chain_segments (
    id        TEXT PRIMARY KEY,
    chain_id  TEXT NOT NULL REFERENCES chains(id),
    zone_id   TEXT NOT NULL REFERENCES zones(id),
    stage     TEXT NOT NULL CHECK (stage IN ('upstream', 'midstream', 'downstream')),
    name      TEXT NOT NULL,
    position  INTEGER NOT NULL
);
CREATE UNIQUE INDEX chain_segments_name ON chain_segments(chain_id, name);

CREATE TABLE segment_enterprises (
    segment_id     TEXT NOT NULL REFERENCES chain_segments(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    PRIMARY KEY (segment_id, enterprise_id)
);
CREATE INDEX segment_enterprises_enterprise ON segment_enterprises(enterprise_id);

-- Research institutes (科研院所): partners from outside the zone's
-- enterprises, zone-wide.
CREATE TABLE institutes (
    id           TEXT PRIMARY KEY,
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    lat          DOUBLE PRECISION,
    lng          DOUBLE PRECISION,
    sample       BOOLEAN NOT NULL DEFAULT FALSE,
    search_key   TEXT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX institutes_zone_name ON institutes(zone_id, name);

-- A need or an offer of an enterprise (park_id copied from it, for
-- filters) or of an institute. seq is the zone's listing sequence number
-- of the last change: the matching index of every replica catches up by
-- it (listing_changes also records deletions).
CREATE TABLE listings (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    kind           TEXT NOT NULL CHECK (kind IN ('need', 'offer')),
    category       TEXT NOT NULL CHECK (category IN ('technology', 'talent', 'capacity', 'material', 'market')),
    chain_id       TEXT REFERENCES chains(id),
    segment_id     TEXT REFERENCES chain_segments(id),
    title          TEXT NOT NULL,
    body           TEXT NOT NULL DEFAULT '',
    enterprise_id  TEXT REFERENCES enterprises(id),
    institute_id   TEXT REFERENCES institutes(id),
    park_id        TEXT REFERENCES parks(id),
    valid_from     TEXT,
    valid_until    TEXT,
    status         TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    seq            BIGINT NOT NULL,
    search_key     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CHECK ((enterprise_id IS NULL) <> (institute_id IS NULL))
);
CREATE INDEX listings_zone ON listings(zone_id, id);
CREATE INDEX listings_enterprise ON listings(enterprise_id, id);
CREATE INDEX listings_institute ON listings(institute_id, id);
CREATE INDEX listings_segment ON listings(segment_id);
CREATE INDEX listings_chain ON listings(chain_id);
CREATE INDEX listings_seq ON listings(zone_id, seq);
CREATE INDEX listings_search ON listings(zone_id, search_key);

-- listing_seq hands out the zone's listing sequence numbers. Taking one
-- locks the zone's row until commit, so numbers become visible in the
-- order they were taken: a reader that has seen n has seen every change
-- numbered below n.
CREATE TABLE listing_seq (
    zone_id  TEXT PRIMARY KEY REFERENCES zones(id),
    seq      BIGINT NOT NULL
);
CREATE TABLE listing_changes (
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    seq         BIGINT NOT NULL,
    listing_id  TEXT NOT NULL,
    PRIMARY KEY (zone_id, seq)
);

-- A proposed pairing of a need with an offer, brokered by the park's
-- staff: proposed → contacted → agreed | declined. The parties are copied
-- from the listings (for scope); reasons keep the ranking's explanation
-- as it was when the match was made.
CREATE TABLE matches (
    id                   TEXT PRIMARY KEY,
    zone_id              TEXT NOT NULL REFERENCES zones(id),
    need_id              TEXT NOT NULL REFERENCES listings(id),
    offer_id             TEXT NOT NULL REFERENCES listings(id),
    need_enterprise_id   TEXT REFERENCES enterprises(id),
    offer_enterprise_id  TEXT REFERENCES enterprises(id),
    score                DOUBLE PRECISION NOT NULL,
    reasons              TEXT NOT NULL,
    status               TEXT NOT NULL CHECK (status IN ('proposed', 'contacted', 'agreed', 'declined')),
    need_accepted        BOOLEAN NOT NULL DEFAULT FALSE,
    offer_accepted       BOOLEAN NOT NULL DEFAULT FALSE,
    note                 TEXT NOT NULL DEFAULT '',
    cooperation_id       TEXT,
    version              BIGINT NOT NULL DEFAULT 1,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX matches_pair ON matches(need_id, offer_id);
CREATE INDEX matches_zone ON matches(zone_id, id);
CREATE INDEX matches_offer ON matches(offer_id);
CREATE INDEX matches_need_enterprise ON matches(need_enterprise_id);
CREATE INDEX matches_offer_enterprise ON matches(offer_enterprise_id);

-- A cooperation project (合作项目) of two or more parties, organised by a
-- zone, a park or an enterprise (organizer_id); level follows from it.
CREATE TABLE cooperations (
    id           TEXT PRIMARY KEY,
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    type         TEXT NOT NULL CHECK (type IN ('research', 'chain', 'talent', 'capacity')),
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    chain_id     TEXT REFERENCES chains(id),
    status       TEXT NOT NULL CHECK (status IN ('planned', 'active', 'completed', 'cancelled')),
    organizer_id TEXT NOT NULL,
    level        TEXT NOT NULL CHECK (level IN ('zone', 'park', 'enterprise')),
    match_id     TEXT REFERENCES matches(id),
    started_on   TEXT,
    ended_on     TEXT,
    sample       BOOLEAN NOT NULL DEFAULT FALSE,
    search_key   TEXT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX cooperations_zone ON cooperations(zone_id, id);
CREATE UNIQUE INDEX cooperations_match ON cooperations(match_id);

-- A party is an enterprise or an institute: party_id names it, and
-- enterprise_id repeats it for enterprises (the scope attaches by it).
CREATE TABLE cooperation_parties (
    cooperation_id  TEXT NOT NULL REFERENCES cooperations(id),
    party_id        TEXT NOT NULL,
    enterprise_id   TEXT REFERENCES enterprises(id),
    institute_id    TEXT REFERENCES institutes(id),
    zone_id         TEXT NOT NULL REFERENCES zones(id),
    PRIMARY KEY (cooperation_id, party_id)
);
CREATE INDEX cooperation_parties_enterprise ON cooperation_parties(enterprise_id);
CREATE INDEX cooperation_parties_party ON cooperation_parties(party_id);

CREATE TABLE cooperation_milestones (
    id              TEXT PRIMARY KEY,
    cooperation_id  TEXT NOT NULL REFERENCES cooperations(id),
    zone_id         TEXT NOT NULL REFERENCES zones(id),
    title           TEXT NOT NULL,
    due_on          TEXT,
    done_on         TEXT,
    position        INTEGER NOT NULL
);
CREATE INDEX cooperation_milestones_cooperation ON cooperation_milestones(cooperation_id, position);

CREATE TABLE cooperation_outcomes (
    id              TEXT PRIMARY KEY,
    cooperation_id  TEXT NOT NULL REFERENCES cooperations(id),
    zone_id         TEXT NOT NULL REFERENCES zones(id),
    title           TEXT NOT NULL,
    recorded_on     TEXT,
    position        INTEGER NOT NULL
);
CREATE INDEX cooperation_outcomes_cooperation ON cooperation_outcomes(cooperation_id, position);
