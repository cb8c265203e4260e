-- How many activities a zone holds per status, kept by triggers in the
-- same transaction as the activities: the total of a zone administrator's
-- list filtered by status (`activities?status=published`, 993 of the zone
-- database's 20,000) is then a sum of at most 16 rows instead of a count
-- of as many index entries, every first page (docs/scaling.md, "What each
-- row shows, on the row"). Split over 16 shards by the last character of
-- the activity's id, as row_counts (0110). A status change moves one
-- activity between two rows; two going opposite ways in one shard can
-- deadlock on PostgreSQL, and db.Tx runs the one it aborts again (statuses
-- change rarely).
CREATE TABLE activity_status_counts (
    zone_id  TEXT NOT NULL,
    status   TEXT NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (zone_id, status, shard)
);
INSERT INTO activity_status_counts (zone_id, status, shard, n)
    SELECT zone_id, status, substr(id, length(id), 1), COUNT(*) FROM activities
    GROUP BY zone_id, status, substr(id, length(id), 1);

-- dialect: sqlite
CREATE TRIGGER activity_status_count_insert AFTER INSERT ON activities BEGIN
    INSERT INTO activity_status_counts (zone_id, status, shard, n) VALUES (NEW.zone_id, NEW.status, substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (zone_id, status, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER activity_status_count_delete AFTER DELETE ON activities BEGIN
    UPDATE activity_status_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND status = OLD.status AND shard = substr(OLD.id, length(OLD.id), 1);
END;
CREATE TRIGGER activity_status_count_update AFTER UPDATE OF zone_id, status, id ON activities
    WHEN OLD.zone_id IS NOT NEW.zone_id OR OLD.status IS NOT NEW.status OR OLD.id IS NOT NEW.id BEGIN
    UPDATE activity_status_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND status = OLD.status AND shard = substr(OLD.id, length(OLD.id), 1);
    INSERT INTO activity_status_counts (zone_id, status, shard, n) VALUES (NEW.zone_id, NEW.status, substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (zone_id, status, shard) DO UPDATE SET n = n + 1;
END;
-- dialect: postgres
CREATE FUNCTION activity_status_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.zone_id, OLD.status, OLD.id) = (NEW.zone_id, NEW.status, NEW.id) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE activity_status_counts SET n = n - 1
            WHERE zone_id = OLD.zone_id AND status = OLD.status AND shard = substr(OLD.id, length(OLD.id), 1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO activity_status_counts (zone_id, status, shard, n) VALUES (NEW.zone_id, NEW.status, substr(NEW.id, length(NEW.id), 1), 1)
            ON CONFLICT (zone_id, status, shard) DO UPDATE SET n = activity_status_counts.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER activity_status_count AFTER INSERT OR DELETE OR UPDATE OF zone_id, status, id ON activities
    FOR EACH ROW EXECUTE FUNCTION activity_status_count();
-- dialect: all
