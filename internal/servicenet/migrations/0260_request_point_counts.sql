-- How many service requests each service point holds per status, kept by
-- triggers in the same transaction as the requests, like request_counts
-- (0170) per zone and park. It answers the total of a list whose scope is
-- made of nodes — the service staff of a park, a park administrator —
-- where request_counts cannot: such a scope is "the point lies under one
-- of these nodes", and a sum over the kept rows of those points replaces
-- a COUNT of every matching request (the staff of a zone-scale park: the
-- 1,288 submitted requests of its points, read on every page, a fifth of
-- the list's CPU). The table has the columns that scope and a list's
-- equality filters name (zone_id, park_id, point_id, status), so the
-- list's own predicate selects its rows. 16 shards by the id's last
-- character: a point is written less often than a whole park.
CREATE TABLE request_point_counts (
    point_id TEXT NOT NULL,
    status   TEXT NOT NULL,
    park_id  TEXT NOT NULL,
    zone_id  TEXT NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (point_id, status, park_id, zone_id, shard)
);
INSERT INTO request_point_counts (point_id, status, park_id, zone_id, shard, n)
    SELECT point_id, status, park_id, zone_id, substr(id, length(id), 1), COUNT(*) FROM service_requests
    GROUP BY point_id, status, park_id, zone_id, substr(id, length(id), 1);

-- dialect: sqlite
CREATE TRIGGER request_point_count_insert AFTER INSERT ON service_requests BEGIN
    INSERT INTO request_point_counts (point_id, status, park_id, zone_id, shard, n) VALUES (NEW.point_id, NEW.status, NEW.park_id, NEW.zone_id, substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (point_id, status, park_id, zone_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_point_count_delete AFTER DELETE ON service_requests BEGIN
    UPDATE request_point_counts SET n = n - 1
        WHERE point_id = OLD.point_id AND status = OLD.status AND park_id = OLD.park_id AND zone_id = OLD.zone_id AND shard = substr(OLD.id, length(OLD.id), 1);
END;
CREATE TRIGGER request_point_count_update AFTER UPDATE OF point_id, status, park_id, zone_id, id ON service_requests
    WHEN OLD.point_id IS NOT NEW.point_id OR OLD.status IS NOT NEW.status OR OLD.park_id IS NOT NEW.park_id OR OLD.zone_id IS NOT NEW.zone_id OR OLD.id IS NOT NEW.id BEGIN
    UPDATE request_point_counts SET n = n - 1
        WHERE point_id = OLD.point_id AND status = OLD.status AND park_id = OLD.park_id AND zone_id = OLD.zone_id AND shard = substr(OLD.id, length(OLD.id), 1);
    INSERT INTO request_point_counts (point_id, status, park_id, zone_id, shard, n) VALUES (NEW.point_id, NEW.status, NEW.park_id, NEW.zone_id, substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (point_id, status, park_id, zone_id, shard) DO UPDATE SET n = n + 1;
END;
-- dialect: postgres
-- As request_count (0170): a step's two counter rows are updated in the
-- order of their keys, the same in every transaction, so that two steps
-- going opposite ways at one point never deadlock.
CREATE FUNCTION request_point_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_first BOOLEAN;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (OLD.point_id, OLD.status, OLD.park_id, OLD.zone_id, substr(OLD.id, length(OLD.id), 1)) = (NEW.point_id, NEW.status, NEW.park_id, NEW.zone_id, substr(NEW.id, length(NEW.id), 1)) THEN
            RETURN NULL;
        END IF;
        old_first := (OLD.point_id, OLD.status, OLD.park_id, OLD.zone_id, substr(OLD.id, length(OLD.id), 1)) < (NEW.point_id, NEW.status, NEW.park_id, NEW.zone_id, substr(NEW.id, length(NEW.id), 1));
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND old_first) THEN
        UPDATE request_point_counts SET n = n - 1
            WHERE point_id = OLD.point_id AND status = OLD.status AND park_id = OLD.park_id AND zone_id = OLD.zone_id AND shard = substr(OLD.id, length(OLD.id), 1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO request_point_counts (point_id, status, park_id, zone_id, shard, n) VALUES (NEW.point_id, NEW.status, NEW.park_id, NEW.zone_id, substr(NEW.id, length(NEW.id), 1), 1)
            ON CONFLICT (point_id, status, park_id, zone_id, shard) DO UPDATE SET n = request_point_counts.n + 1;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT old_first THEN
        UPDATE request_point_counts SET n = n - 1
            WHERE point_id = OLD.point_id AND status = OLD.status AND park_id = OLD.park_id AND zone_id = OLD.zone_id AND shard = substr(OLD.id, length(OLD.id), 1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER request_point_count AFTER INSERT OR DELETE OR UPDATE OF point_id, status, park_id, zone_id, id ON service_requests
    FOR EACH ROW EXECUTE FUNCTION request_point_count();
-- dialect: all
