-- One-time codes sent by SMS (sign-in, password reset, confirming a phone
-- number when accepting an invitation). The phone is kept only as its
-- blind index (secret.Keys.Index("phone", …)); the code only as a keyed
-- hash. A code is single use (used_at), short-lived (expires_at) and dies
-- after a few wrong tries (attempts). client_addr counts sends per address.
CREATE TABLE sms_codes (
    id           TEXT PRIMARY KEY,
    phone_index  TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    client_addr  TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    used_at      BIGINT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sms_codes_phone ON sms_codes(phone_index, purpose, created_at);
CREATE INDEX sms_codes_addr ON sms_codes(client_addr, created_at);
