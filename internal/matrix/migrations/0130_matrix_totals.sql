-- Roll-up of matrix_facts by ancestor, so the dashboard sums a few hundred
-- rows whatever the number of organising nodes: each fact is also added,
-- in the same transaction (matrix.Add), to one row per strict ancestor of
-- its organising node (anchor_id: the zone, the park, the parent
-- organisation …), keyed like the fact by grain, period, park, level and
-- function. The figures of a subtree are then its root's rows here plus
-- the root's own facts. Moving a subtree (nodes.Move) takes its figures off
-- the old ancestors and adds them to the new ones; deleting a node takes
-- its facts off its ancestors except the zone, whose rows keep every fact
-- of the zone (the zone's own figures count every record of the zone).
-- The facts are read by organising node now (a subtree's root's own
-- facts, below): their key leads with the node, so a node's rows of one
-- grain and period range are one range of the key. The table is rebuilt
-- with that key; nothing reads it by park or across nodes any more, so
-- its two secondary indexes go.
CREATE TABLE matrix_facts_by_node (
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
    care_items         BIGINT NOT NULL DEFAULT 0,
    innovations        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (zone_id, node_id, grain, period, level, function)
-- dialect: sqlite
) WITHOUT ROWID;
-- dialect: postgres
);
-- dialect: all
INSERT INTO matrix_facts_by_node (zone_id, grain, period, node_id, park_id, level, function,
    activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations, care_items, innovations)
SELECT zone_id, grain, period, node_id, park_id, level, function,
    activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations, care_items, innovations
FROM matrix_facts;
DROP TABLE matrix_facts;
ALTER TABLE matrix_facts_by_node RENAME TO matrix_facts;

CREATE TABLE matrix_totals (
    zone_id            TEXT NOT NULL REFERENCES zones(id),
    anchor_id          TEXT NOT NULL,
    grain              TEXT NOT NULL,
    period             INTEGER NOT NULL,
    park_id            TEXT NOT NULL DEFAULT '',
    level              TEXT NOT NULL,
    function           TEXT NOT NULL,
    activities         BIGINT NOT NULL DEFAULT 0,
    participants       BIGINT NOT NULL DEFAULT 0,
    volunteer_minutes  BIGINT NOT NULL DEFAULT 0,
    requests_resolved  BIGINT NOT NULL DEFAULT 0,
    cases_closed       BIGINT NOT NULL DEFAULT 0,
    cooperations       BIGINT NOT NULL DEFAULT 0,
    care_items         BIGINT NOT NULL DEFAULT 0,
    innovations        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (zone_id, anchor_id, grain, period, park_id, level, function)
-- dialect: sqlite
) WITHOUT ROWID;
-- dialect: postgres
);
-- dialect: all

-- Back-fill from the facts already recorded: every strict ancestor of each
-- fact's node (following parent_id), and the zone for facts whose node is
-- gone. matrix.Rebuild runs the same statement for one zone.
WITH RECURSIVE anc(node_id, anchor_id) AS (
    SELECT id, parent_id FROM scope_nodes WHERE parent_id IS NOT NULL
    UNION ALL
    SELECT anc.node_id, p.parent_id FROM anc JOIN scope_nodes p ON p.id = anc.anchor_id WHERE p.parent_id IS NOT NULL
), src(zone_id, anchor_id, grain, period, park_id, level, function,
        activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations, care_items, innovations) AS (
    SELECT f.zone_id, anc.anchor_id, f.grain, f.period, f.park_id, f.level, f.function,
        f.activities, f.participants, f.volunteer_minutes, f.requests_resolved, f.cases_closed, f.cooperations, f.care_items, f.innovations
    FROM matrix_facts f JOIN anc ON anc.node_id = f.node_id
    UNION ALL
    SELECT f.zone_id, f.zone_id, f.grain, f.period, f.park_id, f.level, f.function,
        f.activities, f.participants, f.volunteer_minutes, f.requests_resolved, f.cases_closed, f.cooperations, f.care_items, f.innovations
    FROM matrix_facts f WHERE f.node_id <> f.zone_id AND NOT EXISTS (SELECT 1 FROM scope_nodes n WHERE n.id = f.node_id)
)
INSERT INTO matrix_totals (zone_id, anchor_id, grain, period, park_id, level, function,
    activities, participants, volunteer_minutes, requests_resolved, cases_closed, cooperations, care_items, innovations)
SELECT zone_id, anchor_id, grain, period, park_id, level, function,
    SUM(activities), SUM(participants), SUM(volunteer_minutes), SUM(requests_resolved), SUM(cases_closed),
    SUM(cooperations), SUM(care_items), SUM(innovations)
FROM src GROUP BY zone_id, anchor_id, grain, period, park_id, level, function;
