-- Labour-dispute mediation (职工法律服务基地): rooms of a park, cases with
-- their parties, timeline, conflict checks, hearings (with the bookings
-- that keep a mediator, a room or a person from being in two hearings at
-- once), notes, the settlement agreement, its signatures and payments.
-- A case attaches to scope by its park (and its respondent enterprise).
CREATE TABLE mediation_rooms (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    park_id     TEXT NOT NULL REFERENCES parks(id),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX mediation_rooms_name ON mediation_rooms(park_id, name);
CREATE INDEX mediation_rooms_zone ON mediation_rooms(zone_id, id);

CREATE TABLE mediation_cases (
    id                  TEXT PRIMARY KEY,
    zone_id             TEXT NOT NULL REFERENCES zones(id),
    park_id             TEXT NOT NULL REFERENCES parks(id),
    respondent_id       TEXT NOT NULL REFERENCES enterprises(id),
    applicant_id        TEXT NOT NULL REFERENCES people(id),
    type                TEXT NOT NULL CHECK (type IN ('work_injury', 'unpaid_wages', 'dismissal', 'social_insurance', 'other')),
    summary             TEXT NOT NULL,
    claim_fen           BIGINT NOT NULL DEFAULT 0,
    status              TEXT NOT NULL,
    outcome             TEXT NOT NULL DEFAULT '',
    mediator_id         TEXT REFERENCES users(id),
    mediator_role       TEXT NOT NULL DEFAULT '',
    applied_at          BIGINT NOT NULL,   -- the statutory clock starts here
    flagged_at          BIGINT,            -- 15 days passed without settlement (set once)
    referred_at         BIGINT,
    arbitration_due_at  BIGINT,
    extended            BOOLEAN NOT NULL DEFAULT FALSE,
    closed_at           BIGINT,
    created_by          TEXT,
    version             BIGINT NOT NULL DEFAULT 1,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX mediation_cases_zone ON mediation_cases(zone_id, id);
CREATE INDEX mediation_cases_park ON mediation_cases(park_id, id);
CREATE INDEX mediation_cases_mediator ON mediation_cases(mediator_id, id);
CREATE INDEX mediation_cases_applicant ON mediation_cases(applicant_id, id);
-- The flag job's scan: open cases not yet flagged, by application time.
CREATE INDEX mediation_cases_clock ON mediation_cases(applied_at) WHERE flagged_at IS NULL;

-- Parties: the applicant (a worker), the respondent (an enterprise) and
-- the agents of either side (lawyers), each named, with a person when the
-- platform knows them.
CREATE TABLE mediation_parties (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES mediation_cases(id),
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    side           TEXT NOT NULL CHECK (side IN ('applicant', 'respondent')),
    role           TEXT NOT NULL CHECK (role IN ('applicant', 'respondent', 'agent')),
    name           TEXT NOT NULL,
    person_id      TEXT REFERENCES people(id),
    enterprise_id  TEXT REFERENCES enterprises(id),
    created_at     BIGINT NOT NULL
);
CREATE INDEX mediation_parties_case ON mediation_parties(case_id, id);
CREATE INDEX mediation_parties_person ON mediation_parties(person_id, case_id);
-- A party added twice: the same person, or the same name on one side.
CREATE UNIQUE INDEX mediation_parties_one_person ON mediation_parties(case_id, person_id) WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX mediation_parties_one_name ON mediation_parties(case_id, side, name);

CREATE TABLE mediation_events (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES mediation_cases(id),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    at          BIGINT NOT NULL,
    actor_id    TEXT,          -- null: the system (the clock job)
    action      TEXT NOT NULL,
    status      TEXT NOT NULL, -- the case's status after the step
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mediation_events_case ON mediation_events(case_id, at, id);

-- Conflict checks: who was checked, when, what was found; an override
-- names its reason and who asked, and holds only once a second, different
-- user approved it.
CREATE TABLE mediation_conflict_checks (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES mediation_cases(id),
    zone_id          TEXT NOT NULL REFERENCES zones(id),
    mediator_id      TEXT NOT NULL REFERENCES users(id),
    stage            TEXT NOT NULL CHECK (stage IN ('intake', 'assignment')),
    conflicts        TEXT NOT NULL, -- JSON list of {kind, detail}
    clear            BOOLEAN NOT NULL,
    checked_by       TEXT,
    checked_at       BIGINT NOT NULL,
    override_reason  TEXT NOT NULL DEFAULT '',
    override_by      TEXT,
    approved_by      TEXT,
    approved_at      BIGINT
);
CREATE INDEX mediation_conflict_checks_case ON mediation_conflict_checks(case_id, mediator_id, checked_at);

CREATE TABLE mediation_hearings (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES mediation_cases(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    room_id      TEXT NOT NULL REFERENCES mediation_rooms(id),
    mediator_id  TEXT NOT NULL REFERENCES users(id),
    title        TEXT NOT NULL DEFAULT '',
    starts_at    BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL,
    reminded_at  BIGINT,
    created_by   TEXT,
    created_at   BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX mediation_hearings_case ON mediation_hearings(case_id, starts_at);
CREATE INDEX mediation_hearings_zone ON mediation_hearings(zone_id, starts_at);
CREATE INDEX mediation_hearings_remind ON mediation_hearings(starts_at) WHERE reminded_at IS NULL;

CREATE TABLE mediation_hearing_parties (
    hearing_id  TEXT NOT NULL REFERENCES mediation_hearings(id),
    party_id    TEXT NOT NULL REFERENCES mediation_parties(id),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    PRIMARY KEY (hearing_id, party_id)
);

-- What a hearing books: its mediator, its room and each participant known
-- as a person. Two bookings of one (kind, who) may not overlap; writers
-- check under the zone's booking lock (mediation_booking_locks).
CREATE TABLE mediation_bookings (
    hearing_id  TEXT NOT NULL REFERENCES mediation_hearings(id),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    kind        TEXT NOT NULL CHECK (kind IN ('mediator', 'room', 'person')),
    who         TEXT NOT NULL,
    starts_at   BIGINT NOT NULL,
    ends_at     BIGINT NOT NULL,
    PRIMARY KEY (hearing_id, kind, who)
);
CREATE INDEX mediation_bookings_who ON mediation_bookings(zone_id, kind, who, starts_at);

CREATE TABLE mediation_booking_locks (
    zone_id  TEXT PRIMARY KEY REFERENCES zones(id),
    n        BIGINT NOT NULL DEFAULT 0
);

-- Reminders the job leaves for the mediator and the participants' accounts
-- before a hearing (one per hearing and account).
CREATE TABLE mediation_reminders (
    id          TEXT PRIMARY KEY,
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    hearing_id  TEXT NOT NULL REFERENCES mediation_hearings(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    UNIQUE (hearing_id, user_id)
);
CREATE INDEX mediation_reminders_user ON mediation_reminders(user_id, id);

-- Notes: on the case (every one on it), or private to one side's session
-- (that side, the mediator and the park's legal-service staff).
CREATE TABLE mediation_notes (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES mediation_cases(id),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    visibility  TEXT NOT NULL CHECK (visibility IN ('case', 'applicant', 'respondent')),
    text        TEXT NOT NULL,
    author_id   TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX mediation_notes_case ON mediation_notes(case_id, created_at);

CREATE TABLE mediation_agreements (
    case_id     TEXT PRIMARY KEY REFERENCES mediation_cases(id),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    terms       TEXT NOT NULL,
    amount_fen  BIGINT NOT NULL CHECK (amount_fen >= 0),
    pay_by      TEXT NOT NULL DEFAULT '',
    agreed_on   TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE mediation_signatures (
    case_id      TEXT NOT NULL REFERENCES mediation_cases(id),
    party_id     TEXT NOT NULL REFERENCES mediation_parties(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    signed_at    BIGINT NOT NULL,
    recorded_by  TEXT,
    PRIMARY KEY (case_id, party_id)
);

CREATE TABLE mediation_payments (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES mediation_cases(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    amount_fen   BIGINT NOT NULL CHECK (amount_fen > 0),
    paid_on      TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    recorded_by  TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX mediation_payments_case ON mediation_payments(case_id, paid_on);
