-- How many service requests a zone holds per park and status, kept by
-- triggers in the same transaction as the requests: the total of a zone
-- administrator's list filtered by status and/or park (18,940 of one
-- park's closed requests at zone scale: a COUNT reading as many index
-- entries, 30 times the page itself) is then a sum of a few hundred rows.
-- Split over 256 shards by the last two characters of the request's id
-- (row_counts, 0110, has 16 for people, who are rarely written): filings
-- and steps are the busiest writes, and on PostgreSQL each holds its
-- counter row's lock until it commits, so concurrent ones in one park
-- must rarely meet on one row.
CREATE TABLE request_counts (
    zone_id  TEXT NOT NULL,
    park_id  TEXT NOT NULL,
    status   TEXT NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (zone_id, status, park_id, shard)
);
INSERT INTO request_counts (zone_id, park_id, status, shard, n)
    SELECT zone_id, park_id, status, substr(id, length(id) - 1, 2), COUNT(*) FROM service_requests
    GROUP BY zone_id, park_id, status, substr(id, length(id) - 1, 2);

-- dialect: sqlite
CREATE TRIGGER request_count_insert AFTER INSERT ON service_requests BEGIN
    INSERT INTO request_counts (zone_id, park_id, status, shard, n) VALUES (NEW.zone_id, NEW.park_id, NEW.status, substr(NEW.id, length(NEW.id) - 1, 2), 1)
        ON CONFLICT (zone_id, status, park_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_count_delete AFTER DELETE ON service_requests BEGIN
    UPDATE request_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND status = OLD.status AND park_id = OLD.park_id AND shard = substr(OLD.id, length(OLD.id) - 1, 2);
END;
CREATE TRIGGER request_count_update AFTER UPDATE OF zone_id, park_id, status, id ON service_requests
    WHEN OLD.zone_id IS NOT NEW.zone_id OR OLD.park_id IS NOT NEW.park_id OR OLD.status IS NOT NEW.status OR OLD.id IS NOT NEW.id BEGIN
    UPDATE request_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND status = OLD.status AND park_id = OLD.park_id AND shard = substr(OLD.id, length(OLD.id) - 1, 2);
    INSERT INTO request_counts (zone_id, park_id, status, shard, n) VALUES (NEW.zone_id, NEW.park_id, NEW.status, substr(NEW.id, length(NEW.id) - 1, 2), 1)
        ON CONFLICT (zone_id, status, park_id, shard) DO UPDATE SET n = n + 1;
END;
-- dialect: postgres
-- A step changes two counter rows. They are updated in the order of their
-- keys, the same in every transaction, so that two steps going opposite
-- ways (accept and reopen, say) in one park and shard never wait on each
-- other's second row (a deadlock). The statements are written out here
-- rather than in a helper SQL function: PL/pgSQL caches their plans.
CREATE FUNCTION request_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_first BOOLEAN;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (OLD.zone_id, OLD.status, OLD.park_id, substr(OLD.id, length(OLD.id) - 1, 2)) = (NEW.zone_id, NEW.status, NEW.park_id, substr(NEW.id, length(NEW.id) - 1, 2)) THEN
            RETURN NULL;
        END IF;
        old_first := (OLD.zone_id, OLD.status, OLD.park_id, substr(OLD.id, length(OLD.id) - 1, 2)) < (NEW.zone_id, NEW.status, NEW.park_id, substr(NEW.id, length(NEW.id) - 1, 2));
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND old_first) THEN
        UPDATE request_counts SET n = n - 1
            WHERE zone_id = OLD.zone_id AND status = OLD.status AND park_id = OLD.park_id AND shard = substr(OLD.id, length(OLD.id) - 1, 2);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO request_counts (zone_id, park_id, status, shard, n) VALUES (NEW.zone_id, NEW.park_id, NEW.status, substr(NEW.id, length(NEW.id) - 1, 2), 1)
            ON CONFLICT (zone_id, status, park_id, shard) DO UPDATE SET n = request_counts.n + 1;
    END IF;
    IF TG_OP = 'UPDATE' AND NOT old_first THEN
        UPDATE request_counts SET n = n - 1
            WHERE zone_id = OLD.zone_id AND status = OLD.status AND park_id = OLD.park_id AND shard = substr(OLD.id, length(OLD.id) - 1, 2);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER request_count AFTER INSERT OR DELETE OR UPDATE OF zone_id, park_id, status, id ON service_requests
    FOR EACH ROW EXECUTE FUNCTION request_count();
-- dialect: all
