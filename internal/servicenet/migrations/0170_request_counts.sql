-- How many service requests a zone holds per park and status, kept by
-- triggers in the same transaction as the requests: the total of a zone
-- administrator's list filtered by status and/or park (18,940 of one
-- park's closed requests at zone scale: a COUNT reading as many index
-- entries, 30 times the page itself) is then a sum of a few rows. Split
-- over 16 shards by the last character of the request's id, like
-- row_counts (0110): concurrent filings and steps in one park then rarely
-- wait on one counter row's lock on PostgreSQL.
CREATE TABLE request_counts (
    zone_id  TEXT NOT NULL,
    park_id  TEXT NOT NULL,
    status   TEXT NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (zone_id, status, park_id, shard)
);
INSERT INTO request_counts (zone_id, park_id, status, shard, n)
    SELECT zone_id, park_id, status, substr(id, length(id), 1), COUNT(*) FROM service_requests
    GROUP BY zone_id, park_id, status, substr(id, length(id), 1);

-- dialect: sqlite
CREATE TRIGGER request_count_insert AFTER INSERT ON service_requests BEGIN
    INSERT INTO request_counts (zone_id, park_id, status, shard, n) VALUES (NEW.zone_id, NEW.park_id, NEW.status, substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (zone_id, status, park_id, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER request_count_delete AFTER DELETE ON service_requests BEGIN
    UPDATE request_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND status = OLD.status AND park_id = OLD.park_id AND shard = substr(OLD.id, length(OLD.id), 1);
END;
CREATE TRIGGER request_count_update AFTER UPDATE OF zone_id, park_id, status, id ON service_requests
    WHEN OLD.zone_id IS NOT NEW.zone_id OR OLD.park_id IS NOT NEW.park_id OR OLD.status IS NOT NEW.status OR OLD.id IS NOT NEW.id BEGIN
    UPDATE request_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND status = OLD.status AND park_id = OLD.park_id AND shard = substr(OLD.id, length(OLD.id), 1);
    INSERT INTO request_counts (zone_id, park_id, status, shard, n) VALUES (NEW.zone_id, NEW.park_id, NEW.status, substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (zone_id, status, park_id, shard) DO UPDATE SET n = n + 1;
END;
-- dialect: postgres
CREATE FUNCTION request_count_add(z TEXT, p TEXT, st TEXT, id TEXT, d BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO request_counts (zone_id, park_id, status, shard, n) VALUES (z, p, st, substr(id, length(id), 1), d)
        ON CONFLICT (zone_id, status, park_id, shard) DO UPDATE SET n = request_counts.n + d;
$$;
-- A step changes two counter rows. They are updated in the order of their
-- keys, the same in every transaction, so that two steps going opposite
-- ways (accept and reopen, say) in one park and shard never wait on each
-- other's second row (a deadlock).
CREATE FUNCTION request_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM request_count_add(NEW.zone_id, NEW.park_id, NEW.status, NEW.id, 1);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM request_count_add(OLD.zone_id, OLD.park_id, OLD.status, OLD.id, -1);
    ELSIF (OLD.zone_id, OLD.status, OLD.park_id, substr(OLD.id, length(OLD.id), 1)) < (NEW.zone_id, NEW.status, NEW.park_id, substr(NEW.id, length(NEW.id), 1)) THEN
        PERFORM request_count_add(OLD.zone_id, OLD.park_id, OLD.status, OLD.id, -1);
        PERFORM request_count_add(NEW.zone_id, NEW.park_id, NEW.status, NEW.id, 1);
    ELSIF (OLD.zone_id, OLD.status, OLD.park_id, substr(OLD.id, length(OLD.id), 1)) > (NEW.zone_id, NEW.status, NEW.park_id, substr(NEW.id, length(NEW.id), 1)) THEN
        PERFORM request_count_add(NEW.zone_id, NEW.park_id, NEW.status, NEW.id, 1);
        PERFORM request_count_add(OLD.zone_id, OLD.park_id, OLD.status, OLD.id, -1);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER request_count AFTER INSERT OR DELETE OR UPDATE OF zone_id, park_id, status, id ON service_requests
    FOR EACH ROW EXECUTE FUNCTION request_count();
-- dialect: all
