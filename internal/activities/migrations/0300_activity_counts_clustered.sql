-- SQLite: the kept counts of activities per zone and status (0250)
-- clustered by their key, as the request counts are (0280): a sum reads
-- the key's B-tree alone. PostgreSQL keeps its heap (see 0280); the
-- triggers find the rebuilt table by its name.
-- dialect: sqlite
PRAGMA legacy_alter_table = ON;
CREATE TABLE activity_status_counts_clustered (
    zone_id  TEXT NOT NULL,
    status   TEXT NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (zone_id, status, shard)
) WITHOUT ROWID;
INSERT INTO activity_status_counts_clustered (zone_id, status, shard, n)
    SELECT zone_id, status, shard, n FROM activity_status_counts;
DROP TABLE activity_status_counts;
ALTER TABLE activity_status_counts_clustered RENAME TO activity_status_counts;
PRAGMA legacy_alter_table = OFF;
-- dialect: all
