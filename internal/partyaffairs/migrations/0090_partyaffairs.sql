-- Party affairs (党务): dues, elections, member development; the
-- party-building brands (一企一品) with their practices and yearly
-- evaluations; and the innovation log (创新举措), the π of 3.14π.

-- Party dues (党费), one row per member per month paid. The base (monthly
-- after-tax pay) and the band it fell in are kept with the amount, as the
-- regulations ask: a later change of the bands does not rewrite history.
-- org_id is the member's organisation when paid (the row's scope node).
CREATE TABLE party_dues (
    id            TEXT PRIMARY KEY,
    zone_id       TEXT NOT NULL REFERENCES zones(id),
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    person_id     TEXT NOT NULL REFERENCES people(id),
    month         TEXT NOT NULL,
    base_fen      BIGINT NOT NULL CHECK (base_fen >= 0),
    band          INTEGER NOT NULL,
    rate_permille INTEGER NOT NULL,
    amount_fen    BIGINT NOT NULL CHECK (amount_fen >= 0),
    paid_on       TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (person_id, month)
);
CREATE INDEX party_dues_org ON party_dues(org_id, month);
CREATE INDEX party_dues_zone ON party_dues(zone_id, id);

-- Term elections (换届选举) of an organisation and their candidates.
-- Recording one sets the organisation's new term end.
CREATE TABLE party_elections (
    id            TEXT PRIMARY KEY,
    zone_id       TEXT NOT NULL REFERENCES zones(id),
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    held_on       TEXT NOT NULL,
    seats         INTEGER NOT NULL,
    voters        INTEGER NOT NULL,
    term_ends_on  TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX party_elections_org ON party_elections(org_id, held_on);
CREATE INDEX party_elections_zone ON party_elections(zone_id, id);

CREATE TABLE party_election_candidates (
    election_id  TEXT NOT NULL REFERENCES party_elections(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    person_id    TEXT REFERENCES people(id),
    votes        INTEGER NOT NULL,
    elected      BOOLEAN NOT NULL,
    PRIMARY KEY (election_id, position)
);

-- Member development (发展党员): one record per person developed by an
-- organisation, its current stage, and the date of each stage reached.
CREATE TABLE party_development (
    id            TEXT PRIMARY KEY,
    zone_id       TEXT NOT NULL REFERENCES zones(id),
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    person_id     TEXT NOT NULL REFERENCES people(id),
    stage         TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (person_id)
);
CREATE INDEX party_development_org ON party_development(org_id, id);
CREATE INDEX party_development_zone ON party_development(zone_id, id);

CREATE TABLE party_development_stages (
    development_id  TEXT NOT NULL REFERENCES party_development(id),
    zone_id         TEXT NOT NULL REFERENCES zones(id),
    stage           TEXT NOT NULL,
    on_date         TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (development_id, stage)
);

-- One enterprise, one brand (一企一品): an enterprise's party-building
-- brand, kept by the organisation covering it (org_id, optional).
CREATE TABLE brands (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    org_id         TEXT REFERENCES orgs(id),
    name           TEXT NOT NULL,
    slogan         TEXT NOT NULL DEFAULT '',
    description    TEXT NOT NULL DEFAULT '',
    function       TEXT NOT NULL,
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    search_key     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (enterprise_id)
);
CREATE INDEX brands_zone ON brands(zone_id, id);
CREATE INDEX brands_org ON brands(org_id, id);

CREATE TABLE brand_practices (
    brand_id     TEXT NOT NULL REFERENCES brands(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    position     INTEGER NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (brand_id, position)
);

-- A brand's yearly evaluation (年度评估), a score of 0–100.
CREATE TABLE brand_evaluations (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    brand_id    TEXT NOT NULL REFERENCES brands(id),
    year        INTEGER NOT NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    grade       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    evaluator_id TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (brand_id, year)
);

-- The innovation log (创新举措): a practice an organiser (any scope node:
-- the zone, a park, an enterprise, an organisation) introduced, tagged with
-- its function and free tags, and what came of it. Counted in the matrix.
CREATE TABLE innovations (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    organizer_id   TEXT NOT NULL REFERENCES scope_nodes(id),
    level          TEXT NOT NULL,
    park_id        TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL,
    practice       TEXT NOT NULL DEFAULT '',
    function       TEXT NOT NULL,
    results        TEXT NOT NULL DEFAULT '',
    introduced_on  TEXT NOT NULL,
    tags           TEXT NOT NULL DEFAULT '',
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    search_key     TEXT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX innovations_zone ON innovations(zone_id, id);
CREATE INDEX innovations_organizer ON innovations(organizer_id, id);

CREATE TABLE innovation_tags (
    innovation_id  TEXT NOT NULL REFERENCES innovations(id),
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    tag            TEXT NOT NULL,
    PRIMARY KEY (innovation_id, tag)
);
CREATE INDEX innovation_tags_tag ON innovation_tags(zone_id, tag);

-- The matrix counts innovations per level and function.
ALTER TABLE matrix_facts ADD COLUMN innovations BIGINT NOT NULL DEFAULT 0;
