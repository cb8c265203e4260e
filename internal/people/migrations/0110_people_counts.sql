-- How many rows a table holds per zone, kept by triggers in the same
-- transaction as the rows (page.Counter): the total of a list that shows
-- whole zones unfiltered (a zone administrator's people) is then a read of
-- a few rows instead of a COUNT over the zone's index (100,000 entries at
-- zone scale, 10–25 times the page itself). Each zone's count is split
-- over 16 shards by the last character of the row's id, so that concurrent
-- inserts in one zone (PostgreSQL row locks) rarely wait on one another;
-- the count is the sum of the shards. Triggers, not the domain's code, keep
-- it, so that every writer (imports, `tongxin gen`, tests' direct inserts)
-- keeps it right.
CREATE TABLE row_counts (
    tbl      TEXT NOT NULL,
    zone_id  TEXT NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (tbl, zone_id, shard)
);
INSERT INTO row_counts (tbl, zone_id, shard, n)
    SELECT 'people', zone_id, substr(id, length(id), 1), COUNT(*) FROM people GROUP BY zone_id, substr(id, length(id), 1);

-- dialect: sqlite
CREATE TRIGGER people_count_insert AFTER INSERT ON people BEGIN
    INSERT INTO row_counts (tbl, zone_id, shard, n) VALUES ('people', NEW.zone_id, substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (tbl, zone_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER people_count_delete AFTER DELETE ON people BEGIN
    UPDATE row_counts SET n = n - 1 WHERE tbl = 'people' AND zone_id = OLD.zone_id AND shard = substr(OLD.id, length(OLD.id), 1);
END;
CREATE TRIGGER people_count_update AFTER UPDATE OF zone_id, id ON people BEGIN
    UPDATE row_counts SET n = n - 1 WHERE tbl = 'people' AND zone_id = OLD.zone_id AND shard = substr(OLD.id, length(OLD.id), 1);
    INSERT INTO row_counts (tbl, zone_id, shard, n) VALUES ('people', NEW.zone_id, substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (tbl, zone_id, shard) DO UPDATE SET n = n + 1;
END;
-- dialect: postgres
CREATE FUNCTION people_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE row_counts SET n = n - 1 WHERE tbl = 'people' AND zone_id = OLD.zone_id AND shard = substr(OLD.id, length(OLD.id), 1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO row_counts (tbl, zone_id, shard, n) VALUES ('people', NEW.zone_id, substr(NEW.id, length(NEW.id), 1), 1)
            ON CONFLICT (tbl, zone_id, shard) DO UPDATE SET n = row_counts.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER people_count AFTER INSERT OR DELETE OR UPDATE OF zone_id, id ON people
    FOR EACH ROW EXECUTE FUNCTION people_count();
-- dialect: all
