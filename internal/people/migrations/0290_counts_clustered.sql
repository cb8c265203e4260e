-- SQLite: the kept counts of rows per zone (0110) and of people per park
-- (0220) clustered by their key, as the request counts are (0280): a sum
-- reads the key's B-tree alone instead of each counter's row from the
-- table after its index entry. PostgreSQL keeps its heap (see 0280). The
-- triggers that write them name the tables and find the rebuilt ones
-- (a rename in legacy mode leaves them alone).
-- dialect: sqlite
PRAGMA legacy_alter_table = ON;
CREATE TABLE row_counts_clustered (
    tbl      TEXT NOT NULL,
    zone_id  TEXT NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (tbl, zone_id, shard)
) WITHOUT ROWID;
INSERT INTO row_counts_clustered (tbl, zone_id, shard, n)
    SELECT tbl, zone_id, shard, n FROM row_counts;
DROP TABLE row_counts;
ALTER TABLE row_counts_clustered RENAME TO row_counts;
CREATE TABLE people_park_counts_clustered (
    zone_id  TEXT NOT NULL,
    park_id  TEXT NOT NULL,
    member   INTEGER NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (zone_id, park_id, member, shard)
) WITHOUT ROWID;
INSERT INTO people_park_counts_clustered (zone_id, park_id, member, shard, n)
    SELECT zone_id, park_id, member, shard, n FROM people_park_counts;
DROP TABLE people_park_counts;
ALTER TABLE people_park_counts_clustered RENAME TO people_park_counts;
PRAGMA legacy_alter_table = OFF;
-- dialect: all
