-- The 3.14π matrix, kept up to date as records change: one row per
-- organising node, level, function and day, holding the figures of the
-- records that count there. Domains add to it (matrix.Add) in the
-- transaction that changes a record, so the dashboard sums a few rows per
-- cell instead of scanning participations or requests.
CREATE TABLE matrix_facts (
    zone_id            TEXT NOT NULL REFERENCES zones(id),
    node_id            TEXT NOT NULL,
    park_id            TEXT NOT NULL DEFAULT '',
    level              TEXT NOT NULL,
    function           TEXT NOT NULL,
    day                INTEGER NOT NULL,
    activities         BIGINT NOT NULL DEFAULT 0,
    participants       BIGINT NOT NULL DEFAULT 0,
    volunteer_minutes  BIGINT NOT NULL DEFAULT 0,
    requests_resolved  BIGINT NOT NULL DEFAULT 0,
    cases_closed       BIGINT NOT NULL DEFAULT 0,
    cooperations       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (zone_id, node_id, level, function, day)
);
CREATE INDEX matrix_facts_zone_day ON matrix_facts(zone_id, day);
CREATE INDEX matrix_facts_park_day ON matrix_facts(park_id, day);
CREATE INDEX matrix_facts_node ON matrix_facts(node_id, day);
