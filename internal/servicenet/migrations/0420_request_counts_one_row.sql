-- SQLite: one counter row per key of the request counts (0170, 0260).
-- Their shards spread PostgreSQL's row locks over concurrent filings and
-- steps; SQLite has one writer at a time, so on it they only made every
-- total a sum: a zone administrator's total of one park's closed requests
-- read 256 rows of request_counts, 31 µs alone on the zone database,
-- against 11 µs for one row (request_point_counts' 16 shards cost about
-- 1 µs, and are collapsed with them so that both tables read alike).
-- The shard column stays, always '', so that the totals' statements are
-- the same on both engines; PostgreSQL keeps its shards.
-- dialect: sqlite
INSERT INTO request_counts (zone_id, park_id, status, shard, n)
    SELECT zone_id, park_id, status, '', SUM(n) FROM request_counts WHERE shard <> ''
    GROUP BY zone_id, park_id, status;
DELETE FROM request_counts WHERE shard <> '';
INSERT INTO request_point_counts (point_id, status, park_id, zone_id, shard, n)
    SELECT point_id, status, park_id, zone_id, '', SUM(n) FROM request_point_counts WHERE shard <> ''
    GROUP BY point_id, status, park_id, zone_id;
DELETE FROM request_point_counts WHERE shard <> '';

DROP TRIGGER request_count_insert;
DROP TRIGGER request_count_delete;
DROP TRIGGER request_count_update;
CREATE TRIGGER request_count_insert AFTER INSERT ON service_requests BEGIN
    INSERT INTO request_counts (zone_id, park_id, status, shard, n) VALUES (NEW.zone_id, NEW.park_id, NEW.status, '', 1)
        ON CONFLICT (zone_id, status, park_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_count_delete AFTER DELETE ON service_requests BEGIN
    UPDATE request_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND status = OLD.status AND park_id = OLD.park_id AND shard = '';
END;
CREATE TRIGGER request_count_update AFTER UPDATE OF zone_id, park_id, status ON service_requests
    WHEN OLD.zone_id IS NOT NEW.zone_id OR OLD.park_id IS NOT NEW.park_id OR OLD.status IS NOT NEW.status BEGIN
    UPDATE request_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND status = OLD.status AND park_id = OLD.park_id AND shard = '';
    INSERT INTO request_counts (zone_id, park_id, status, shard, n) VALUES (NEW.zone_id, NEW.park_id, NEW.status, '', 1)
        ON CONFLICT (zone_id, status, park_id, shard) DO UPDATE SET n = n + 1;
END;

DROP TRIGGER request_point_count_insert;
DROP TRIGGER request_point_count_delete;
DROP TRIGGER request_point_count_update;
CREATE TRIGGER request_point_count_insert AFTER INSERT ON service_requests BEGIN
    INSERT INTO request_point_counts (point_id, status, park_id, zone_id, shard, n) VALUES (NEW.point_id, NEW.status, NEW.park_id, NEW.zone_id, '', 1)
        ON CONFLICT (point_id, status, park_id, zone_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_point_count_delete AFTER DELETE ON service_requests BEGIN
    UPDATE request_point_counts SET n = n - 1
        WHERE point_id = OLD.point_id AND status = OLD.status AND park_id = OLD.park_id AND zone_id = OLD.zone_id AND shard = '';
END;
CREATE TRIGGER request_point_count_update AFTER UPDATE OF point_id, status, park_id, zone_id ON service_requests
    WHEN OLD.point_id IS NOT NEW.point_id OR OLD.status IS NOT NEW.status OR OLD.park_id IS NOT NEW.park_id OR OLD.zone_id IS NOT NEW.zone_id BEGIN
    UPDATE request_point_counts SET n = n - 1
        WHERE point_id = OLD.point_id AND status = OLD.status AND park_id = OLD.park_id AND zone_id = OLD.zone_id AND shard = '';
    INSERT INTO request_point_counts (point_id, status, park_id, zone_id, shard, n) VALUES (NEW.point_id, NEW.status, NEW.park_id, NEW.zone_id, '', 1)
        ON CONFLICT (point_id, status, park_id, zone_id, shard) DO UPDATE SET n = n + 1;
END;
-- dialect: all
