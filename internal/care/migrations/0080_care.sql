-- Talent and employee care (党建+人才, 家文化): mentoring pairs, project
-- teams, per-enterprise R&D figures, the mutual-aid fund with its
-- double-entry ledger, and childcare classes for workers' children.
-- Every row attaches to the scope tree by its enterprise and (when an
-- organisation runs it) the party organisation covering the enterprise.

-- 以老带新: a veteran (mentor) paired with a new hire (mentee).
CREATE TABLE mentorships (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    org_id         TEXT REFERENCES orgs(id),
    mentor_id      TEXT NOT NULL REFERENCES people(id),
    mentee_id      TEXT NOT NULL REFERENCES people(id),
    goals          TEXT NOT NULL DEFAULT '',
    started_on     TEXT NOT NULL,
    ended_on       TEXT,
    status         TEXT NOT NULL CHECK (status IN ('active', 'completed', 'ended')),
    function       TEXT NOT NULL,
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CHECK (mentor_id <> mentee_id)
);
CREATE INDEX mentorships_enterprise ON mentorships(enterprise_id);
CREATE INDEX mentorships_org ON mentorships(org_id);
CREATE UNIQUE INDEX mentorships_pair ON mentorships(mentor_id, mentee_id, started_on);

CREATE TABLE mentorship_reviews (
    id             TEXT PRIMARY KEY,
    mentorship_id  TEXT NOT NULL REFERENCES mentorships(id),
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    reviewed_on    TEXT NOT NULL,
    rating         INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    note           TEXT NOT NULL DEFAULT '',
    reviewer_id    TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX mentorship_reviews_pair ON mentorship_reviews(mentorship_id, reviewed_on);

-- 科技攻关小组 / 项目攻坚小组 with members, goals, milestones and results.
CREATE TABLE project_teams (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    org_id         TEXT REFERENCES orgs(id),
    kind           TEXT NOT NULL CHECK (kind IN ('tech', 'project')),
    name           TEXT NOT NULL,
    goals          TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('active', 'completed')),
    function       TEXT NOT NULL,
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX project_teams_enterprise ON project_teams(enterprise_id);
CREATE INDEX project_teams_org ON project_teams(org_id);
CREATE UNIQUE INDEX project_teams_name ON project_teams(enterprise_id, name);

CREATE TABLE team_members (
    team_id    TEXT NOT NULL REFERENCES project_teams(id),
    person_id  TEXT NOT NULL REFERENCES people(id),
    zone_id    TEXT NOT NULL REFERENCES zones(id),
    role       TEXT NOT NULL CHECK (role IN ('leader', 'member')),
    PRIMARY KEY (team_id, person_id)
);

CREATE TABLE team_milestones (
    id        TEXT PRIMARY KEY,
    team_id   TEXT NOT NULL REFERENCES project_teams(id),
    zone_id   TEXT NOT NULL REFERENCES zones(id),
    title     TEXT NOT NULL,
    due_on    TEXT,
    done_on   TEXT,
    position  INTEGER NOT NULL
);
CREATE INDEX team_milestones_team ON team_milestones(team_id, position);

CREATE TABLE team_results (
    id           TEXT PRIMARY KEY,
    team_id      TEXT NOT NULL REFERENCES project_teams(id),
    zone_id      TEXT NOT NULL REFERENCES zones(id),
    title        TEXT NOT NULL,
    recorded_on  TEXT,
    position     INTEGER NOT NULL
);
CREATE INDEX team_results_team ON team_results(team_id, position);

-- An enterprise's R&D figures: staff, research projects, its postdoc
-- workstation (博士后工作站) and the date it was approved. No row: zeros.
CREATE TABLE rd_profiles (
    enterprise_id        TEXT PRIMARY KEY REFERENCES enterprises(id),
    zone_id              TEXT NOT NULL REFERENCES zones(id),
    rd_staff             INTEGER NOT NULL CHECK (rd_staff >= 0),
    research_projects    INTEGER NOT NULL CHECK (research_projects >= 0),
    postdoc_station      BOOLEAN NOT NULL DEFAULT FALSE,
    postdoc_approved_on  TEXT,
    note                 TEXT NOT NULL DEFAULT '',
    version              BIGINT NOT NULL DEFAULT 1,
    updated_at           BIGINT NOT NULL
);

-- 互助基金: balance_fen is the fund's cash, kept equal to the sum of its
-- cash postings and never negative (the CHECK is the last line; the
-- disbursement's conditional update the first).
CREATE TABLE aid_funds (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    org_id         TEXT REFERENCES orgs(id),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    balance_fen    BIGINT NOT NULL DEFAULT 0 CHECK (balance_fen >= 0),
    entry_seq      BIGINT NOT NULL DEFAULT 0,
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX aid_funds_enterprise ON aid_funds(enterprise_id);
CREATE INDEX aid_funds_org ON aid_funds(org_id);
CREATE UNIQUE INDEX aid_funds_name ON aid_funds(enterprise_id, name);

CREATE TABLE aid_applications (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    fund_id        TEXT NOT NULL REFERENCES aid_funds(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    org_id         TEXT REFERENCES orgs(id),
    person_id      TEXT NOT NULL REFERENCES people(id),
    filed_by       TEXT NOT NULL,
    amount_fen     BIGINT NOT NULL CHECK (amount_fen > 0),
    reason         TEXT NOT NULL,
    incident_on    TEXT,
    status         TEXT NOT NULL CHECK (status IN ('submitted', 'reviewed', 'approved', 'disbursed', 'rejected')),
    first_by       TEXT,
    first_at       BIGINT,
    second_by      TEXT,
    second_at      BIGINT,
    decided_note   TEXT NOT NULL DEFAULT '',
    disbursed_at   BIGINT,
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CHECK (first_by IS NULL OR second_by IS NULL OR first_by <> second_by)
);
CREATE INDEX aid_applications_fund ON aid_applications(fund_id, status);
CREATE INDEX aid_applications_person ON aid_applications(person_id);
CREATE INDEX aid_applications_enterprise ON aid_applications(enterprise_id);
CREATE INDEX aid_applications_org ON aid_applications(org_id);

-- The ledger: an entry (a contribution or a disbursement) and its
-- postings, which sum to zero. Accounts: cash (the fund's money),
-- contributions (where money came from), aid (where it went).
CREATE TABLE aid_entries (
    id              TEXT PRIMARY KEY,
    zone_id         TEXT NOT NULL REFERENCES zones(id),
    fund_id         TEXT NOT NULL REFERENCES aid_funds(id),
    kind            TEXT NOT NULL CHECK (kind IN ('contribution', 'disbursement')),
    person_id       TEXT REFERENCES people(id),
    application_id  TEXT REFERENCES aid_applications(id),
    amount_fen      BIGINT NOT NULL CHECK (amount_fen > 0),
    booked_on       TEXT NOT NULL,
    memo            TEXT NOT NULL DEFAULT '',
    seq             BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX aid_entries_seq ON aid_entries(fund_id, seq);
CREATE UNIQUE INDEX aid_entries_application ON aid_entries(application_id);
CREATE INDEX aid_entries_person ON aid_entries(person_id);

CREATE TABLE aid_postings (
    entry_id    TEXT NOT NULL REFERENCES aid_entries(id),
    account     TEXT NOT NULL CHECK (account IN ('cash', 'contributions', 'aid')),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    fund_id     TEXT NOT NULL REFERENCES aid_funds(id),
    amount_fen  BIGINT NOT NULL,
    PRIMARY KEY (entry_id, account)
);
CREATE INDEX aid_postings_fund ON aid_postings(fund_id, account);

-- 暑托班: a class of an enterprise for its workers' children, its
-- sessions, the children enrolled (registered within capacity, else
-- waitlisted in order) and who attended each session.
CREATE TABLE childcare_classes (
    id             TEXT PRIMARY KEY,
    zone_id        TEXT NOT NULL REFERENCES zones(id),
    enterprise_id  TEXT NOT NULL REFERENCES enterprises(id),
    org_id         TEXT REFERENCES orgs(id),
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    place          TEXT NOT NULL DEFAULT '',
    starts_on      TEXT NOT NULL,
    ends_on        TEXT NOT NULL,
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    min_age        INTEGER NOT NULL DEFAULT 0,
    max_age        INTEGER NOT NULL DEFAULT 17,
    status         TEXT NOT NULL CHECK (status IN ('open', 'closed', 'cancelled')),
    function       TEXT NOT NULL,
    signup_seq     BIGINT NOT NULL DEFAULT 0,
    sample         BOOLEAN NOT NULL DEFAULT FALSE,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX childcare_classes_enterprise ON childcare_classes(enterprise_id);
CREATE INDEX childcare_classes_org ON childcare_classes(org_id);

CREATE TABLE childcare_sessions (
    id         TEXT PRIMARY KEY,
    class_id   TEXT NOT NULL REFERENCES childcare_classes(id),
    zone_id    TEXT NOT NULL REFERENCES zones(id),
    held_on    TEXT NOT NULL,
    topic      TEXT NOT NULL DEFAULT '',
    position   INTEGER NOT NULL
);
CREATE INDEX childcare_sessions_class ON childcare_sessions(class_id, held_on);

CREATE TABLE childcare_enrolments (
    id          TEXT PRIMARY KEY,
    class_id    TEXT NOT NULL REFERENCES childcare_classes(id),
    zone_id     TEXT NOT NULL REFERENCES zones(id),
    person_id   TEXT NOT NULL REFERENCES people(id),
    child_name  TEXT NOT NULL,
    child_age   INTEGER NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('registered', 'waitlisted')),
    seq         BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX childcare_enrolments_child ON childcare_enrolments(class_id, person_id, child_name);
CREATE INDEX childcare_enrolments_class ON childcare_enrolments(class_id, status, seq);
CREATE INDEX childcare_enrolments_person ON childcare_enrolments(person_id);

CREATE TABLE childcare_attendance (
    session_id    TEXT NOT NULL REFERENCES childcare_sessions(id),
    enrolment_id  TEXT NOT NULL REFERENCES childcare_enrolments(id),
    zone_id       TEXT NOT NULL REFERENCES zones(id),
    marked_at     BIGINT NOT NULL,
    PRIMARY KEY (session_id, enrolment_id)
);
CREATE INDEX childcare_attendance_enrolment ON childcare_attendance(enrolment_id);
