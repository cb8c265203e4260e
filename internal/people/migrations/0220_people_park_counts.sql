-- How many people each park holds, members and others apart, kept by
-- triggers in the same transaction as the people: the total of a park's
-- list (`people?park_id`, with or without `is_member`) is then a sum of a
-- few rows instead of a count of the park's index entries, which was a
-- quarter of that list's time on SQLite (docs/scaling.md, "A park's
-- count kept").
--
-- A person lies in park P when enterprise_park_id or org_park_id is P
-- (migration 0160), and counts once in P when both are. member is 1 for a
-- party member (party_status set), else 0. Split over 16 shards by the
-- last character of the person's id, as row_counts (0110). A write moving
-- people between parks changes up to four rows; on PostgreSQL two such
-- writes going opposite ways in one shard can deadlock, and db.Tx runs the
-- one PostgreSQL aborts again (people are rarely written).
CREATE TABLE people_park_counts (
    zone_id  TEXT NOT NULL,
    park_id  TEXT NOT NULL,
    member   INTEGER NOT NULL,
    shard    TEXT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (zone_id, park_id, member, shard)
);
INSERT INTO people_park_counts (zone_id, park_id, member, shard, n)
    SELECT zone_id, park_id, member, shard, COUNT(*) FROM (
        SELECT zone_id, enterprise_park_id AS park_id, CASE WHEN party_status IS NULL THEN 0 ELSE 1 END AS member,
            substr(id, length(id), 1) AS shard
        FROM people WHERE enterprise_park_id IS NOT NULL
        UNION ALL
        SELECT zone_id, org_park_id, CASE WHEN party_status IS NULL THEN 0 ELSE 1 END, substr(id, length(id), 1)
        FROM people WHERE org_park_id IS NOT NULL AND (enterprise_park_id IS NULL OR enterprise_park_id <> org_park_id)
    ) AS lying GROUP BY zone_id, park_id, member, shard;

-- dialect: sqlite
CREATE TRIGGER people_park_count_insert AFTER INSERT ON people
WHEN NEW.enterprise_park_id IS NOT NULL OR NEW.org_park_id IS NOT NULL BEGIN
    INSERT INTO people_park_counts (zone_id, park_id, member, shard, n)
        SELECT NEW.zone_id, p, CASE WHEN NEW.party_status IS NULL THEN 0 ELSE 1 END, substr(NEW.id, length(NEW.id), 1), 1
        FROM (SELECT NEW.enterprise_park_id AS p UNION SELECT NEW.org_park_id) WHERE p IS NOT NULL
        ON CONFLICT (zone_id, park_id, member, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER people_park_count_delete AFTER DELETE ON people
WHEN OLD.enterprise_park_id IS NOT NULL OR OLD.org_park_id IS NOT NULL BEGIN
    UPDATE people_park_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND park_id IN (OLD.enterprise_park_id, OLD.org_park_id)
            AND member = CASE WHEN OLD.party_status IS NULL THEN 0 ELSE 1 END AND shard = substr(OLD.id, length(OLD.id), 1);
END;
CREATE TRIGGER people_park_count_update AFTER UPDATE OF zone_id, id, enterprise_id, org_id, enterprise_park_id, org_park_id, party_status ON people
WHEN OLD.zone_id IS NOT NEW.zone_id OR OLD.id IS NOT NEW.id
    OR OLD.enterprise_park_id IS NOT NEW.enterprise_park_id OR OLD.org_park_id IS NOT NEW.org_park_id
    OR (OLD.party_status IS NULL) <> (NEW.party_status IS NULL) BEGIN
    UPDATE people_park_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND park_id IN (OLD.enterprise_park_id, OLD.org_park_id)
            AND member = CASE WHEN OLD.party_status IS NULL THEN 0 ELSE 1 END AND shard = substr(OLD.id, length(OLD.id), 1);
    INSERT INTO people_park_counts (zone_id, park_id, member, shard, n)
        SELECT NEW.zone_id, p, CASE WHEN NEW.party_status IS NULL THEN 0 ELSE 1 END, substr(NEW.id, length(NEW.id), 1), 1
        FROM (SELECT NEW.enterprise_park_id AS p UNION SELECT NEW.org_park_id) WHERE p IS NOT NULL
        ON CONFLICT (zone_id, park_id, member, shard) DO UPDATE SET n = n + 1;
END;
-- dialect: postgres
-- UPDATE OF names what an UPDATE sets: the park columns change in the
-- people_parks BEFORE trigger when a statement sets enterprise_id or
-- org_id, so those are listed too.
CREATE FUNCTION people_park_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.zone_id = NEW.zone_id AND OLD.id = NEW.id
        AND OLD.enterprise_park_id IS NOT DISTINCT FROM NEW.enterprise_park_id
        AND OLD.org_park_id IS NOT DISTINCT FROM NEW.org_park_id
        AND (OLD.party_status IS NULL) = (NEW.party_status IS NULL) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE people_park_counts SET n = n - 1
            WHERE zone_id = OLD.zone_id AND park_id IN (OLD.enterprise_park_id, OLD.org_park_id)
                AND member = CASE WHEN OLD.party_status IS NULL THEN 0 ELSE 1 END AND shard = substr(OLD.id, length(OLD.id), 1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO people_park_counts (zone_id, park_id, member, shard, n)
            SELECT NEW.zone_id, p, CASE WHEN NEW.party_status IS NULL THEN 0 ELSE 1 END, substr(NEW.id, length(NEW.id), 1), 1
            FROM (SELECT NEW.enterprise_park_id AS p UNION SELECT NEW.org_park_id) AS parks WHERE p IS NOT NULL
            ON CONFLICT (zone_id, park_id, member, shard) DO UPDATE SET n = people_park_counts.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER people_park_count AFTER INSERT OR DELETE
    OR UPDATE OF zone_id, id, enterprise_id, org_id, enterprise_park_id, org_park_id, party_status ON people
    FOR EACH ROW EXECUTE FUNCTION people_park_count();
-- dialect: all
