-- Invitations: a one-time link (or its QR code) binding a new account to a
-- people record. Only the SHA-256 of the token is kept. A row is pending
-- until accepted (accepted_at, user_id), revoked (revoked_at) or past
-- expires_at; failed_attempts counts wrong phone numbers typed against it
-- (five lock it). Issuing a new invitation for a person revokes their
-- earlier pending ones. Deleting a person (who has no account) deletes
-- their invitations.
CREATE TABLE invitations (
    id               TEXT PRIMARY KEY,
    zone_id          TEXT NOT NULL REFERENCES zones(id),
    person_id        TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    token_hash       TEXT NOT NULL UNIQUE,
    created_by       TEXT,
    expires_at       BIGINT NOT NULL,
    accepted_at      BIGINT,
    user_id          TEXT,
    revoked_at       BIGINT,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX invitations_person ON invitations(person_id, id);
CREATE INDEX invitations_zone ON invitations(zone_id, id);

-- One account per person: accepting two invitations of one person at
-- once, or an invitation beside an account made by hand, cannot bind two.
CREATE UNIQUE INDEX users_person ON users(person_id);
