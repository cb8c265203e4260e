-- The 3.14π matrix, kept up to date as records change. Domains add to it
-- (matrix.Add) in the transaction that changes a record, so the dashboard
-- sums a few rows per cell instead of scanning participations or requests.
-- Each change is added at three grains — its day (period 20221115), its
-- month (202211) and its year (2022) — so a period is summed from whole
-- years, whole months and the days at its edges: all time or a year costs
-- one row per node, level and function, whatever the number of records.
-- Rows are keyed by the organising scope node (the caller's scope) and
-- the park the record lies in.
CREATE TABLE matrix_facts (
    zone_id            TEXT NOT NULL REFERENCES zones(id),
    grain              TEXT NOT NULL,
    period             INTEGER NOT NULL,
    node_id            TEXT NOT NULL,
    park_id            TEXT NOT NULL DEFAULT '',
    level              TEXT NOT NULL,
    function           TEXT NOT NULL,
    activities         BIGINT NOT NULL DEFAULT 0,
    participants       BIGINT NOT NULL DEFAULT 0,
    volunteer_minutes  BIGINT NOT NULL DEFAULT 0,
    requests_resolved  BIGINT NOT NULL DEFAULT 0,
    cases_closed       BIGINT NOT NULL DEFAULT 0,
    cooperations       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (zone_id, grain, period, node_id, level, function)
-- dialect: sqlite
) WITHOUT ROWID;
-- dialect: postgres
);
-- dialect: all
CREATE INDEX matrix_facts_node ON matrix_facts(node_id, grain, period);
CREATE INDEX matrix_facts_park ON matrix_facts(park_id, grain, period);
