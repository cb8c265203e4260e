-- Activities and volunteering: campaigns grouping activities, activities
-- with their posts (岗位), sign-ups (which carry attendance and credited
-- hours: one row per person and activity), hour corrections, and the
-- private calendar tokens of people.
CREATE TABLE activity_campaigns (
    id              TEXT PRIMARY KEY,
    zone_id         TEXT NOT NULL REFERENCES zones(id),
    organizer_id    TEXT NOT NULL,
    organizer_node  TEXT NOT NULL REFERENCES scope_nodes(id),
    name            TEXT NOT NULL,
    function        TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    search_key      TEXT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX activity_campaigns_zone ON activity_campaigns(zone_id, id);
CREATE INDEX activity_campaigns_node ON activity_campaigns(organizer_node, id);

-- organizer_id is what the client named (a zone, park, station, alliance
-- or party organisation); organizer_node the scope node the activity hangs
-- under (the same id, or an alliance's park — or zone when it has none).
-- signup_seq is bumped by every sign-up: the row lock it takes serialises
-- sign-ups of one activity on both engines, and its value orders the
-- waitlist.
CREATE TABLE activities (
    id                TEXT PRIMARY KEY,
    zone_id           TEXT NOT NULL REFERENCES zones(id),
    campaign_id       TEXT REFERENCES activity_campaigns(id),
    title             TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL,
    function          TEXT NOT NULL,
    level             TEXT NOT NULL,
    park_id           TEXT,
    organizer_id      TEXT NOT NULL,
    organizer_kind    TEXT NOT NULL,
    organizer_node    TEXT NOT NULL REFERENCES scope_nodes(id),
    starts_at         BIGINT NOT NULL,
    ends_at           BIGINT NOT NULL,
    location_name     TEXT NOT NULL DEFAULT '',
    lat               DOUBLE PRECISION,
    lng               DOUBLE PRECISION,
    geofence_m        BIGINT,
    capacity          BIGINT NOT NULL,
    credit_minutes    BIGINT NOT NULL,
    checkin_mode      TEXT NOT NULL,
    signup_closes_at  BIGINT NOT NULL,
    cancel_closes_at  BIGINT NOT NULL,
    status            TEXT NOT NULL,
    signup_seq        BIGINT NOT NULL DEFAULT 0,
    search_key        TEXT NOT NULL,
    version           BIGINT NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX activities_zone ON activities(zone_id, id);
CREATE INDEX activities_node ON activities(organizer_node, id);
CREATE INDEX activities_starts ON activities(zone_id, starts_at);
CREATE INDEX activities_campaign ON activities(campaign_id);

CREATE TABLE activity_posts (
    id           TEXT PRIMARY KEY,
    activity_id  TEXT NOT NULL REFERENCES activities(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    name         TEXT NOT NULL,
    capacity     BIGINT NOT NULL,
    ord          BIGINT NOT NULL
);
CREATE INDEX activity_posts_activity ON activity_posts(activity_id, ord);

-- status registered|waitlisted; a cancelled sign-up is deleted (and
-- audited). credited_minutes is NULL until hours are credited; manual
-- marks hours an organiser entered by hand; walk_up a person added by the
-- organiser beyond sign-up rules.
CREATE TABLE activity_signups (
    id                TEXT PRIMARY KEY,
    zone_id           TEXT NOT NULL REFERENCES zones(id),
    activity_id       TEXT NOT NULL REFERENCES activities(id),
    post_id           TEXT REFERENCES activity_posts(id),
    person_id         TEXT NOT NULL REFERENCES people(id),
    status            TEXT NOT NULL,
    seq               BIGINT NOT NULL,
    walk_up           BOOLEAN NOT NULL DEFAULT FALSE,
    checked_in_at     BIGINT,
    checked_out_at    BIGINT,
    credited_minutes  BIGINT,
    manual            BOOLEAN NOT NULL DEFAULT FALSE,
    credited_at       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (activity_id, person_id)
);
CREATE INDEX activity_signups_activity ON activity_signups(activity_id, status, seq);
CREATE INDEX activity_signups_person ON activity_signups(person_id, id);

CREATE TABLE activity_corrections (
    id                 TEXT PRIMARY KEY,
    zone_id            TEXT NOT NULL REFERENCES zones(id),
    activity_id        TEXT NOT NULL REFERENCES activities(id),
    signup_id          TEXT NOT NULL REFERENCES activity_signups(id),
    person_id          TEXT NOT NULL REFERENCES people(id),
    requested_minutes  BIGINT NOT NULL,
    previous_minutes   BIGINT,
    reason             TEXT NOT NULL,
    status             TEXT NOT NULL,
    decided_by         TEXT,
    decided_at         BIGINT,
    decision_note      TEXT NOT NULL DEFAULT '',
    created_at         BIGINT NOT NULL
);
CREATE INDEX activity_corrections_activity ON activity_corrections(activity_id, id);
CREATE INDEX activity_corrections_person ON activity_corrections(person_id, id);

-- The private address of a person's calendar feed: only the blind index
-- of the token is kept.
CREATE TABLE activity_calendar_tokens (
    person_id   TEXT PRIMARY KEY REFERENCES people(id),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
