-- How many people each organisation at depth 3 (a park's committee, a
-- branch directly under the zone's working committee) holds in its
-- subtree, kept by triggers in the same transaction as the people: the
-- total of such an organisation's list (`people?org_id`, the filter
-- alone) is a sum of a few rows instead of a count of its entries in
-- people_org_committee (0370) — 1,137 for a park's committee on the zone
-- database, a fifth of that list's CPU on SQLite.
--
-- committee is the first 112 bytes of org_path, the length of such an
-- organisation's path (people.committeePathLen); a person whose
-- organisation lies higher (shorter path) or who has none is not
-- counted. Split over 16 shards by the last character of the person's
-- id, as people_park_counts (0220), so that concurrent inserts into one
-- committee on PostgreSQL do not all wait for one row.
-- dialect: sqlite
CREATE TABLE people_committee_counts (
    zone_id    TEXT NOT NULL,
    committee  TEXT NOT NULL,
    shard      TEXT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (zone_id, committee, shard)
) WITHOUT ROWID;
-- dialect: postgres
CREATE TABLE people_committee_counts (
    zone_id    TEXT NOT NULL,
    committee  TEXT COLLATE "C" NOT NULL,
    shard      TEXT NOT NULL,
    n          BIGINT NOT NULL,
    PRIMARY KEY (zone_id, committee, shard)
);
-- dialect: all
INSERT INTO people_committee_counts (zone_id, committee, shard, n)
    SELECT zone_id, substr(org_path, 1, 112), substr(id, length(id), 1), COUNT(*)
    FROM people WHERE length(org_path) >= 112
    GROUP BY zone_id, substr(org_path, 1, 112), substr(id, length(id), 1);

-- dialect: sqlite
-- org_path is set after the insert by people_org_path_insert (0310), an
-- UPDATE that fires the update trigger: the insert counts the path the
-- row was inserted with, the update moves the count from the old path to
-- the new, so either order of the two triggers counts the person once.
CREATE TRIGGER people_committee_count_insert AFTER INSERT ON people WHEN length(NEW.org_path) >= 112 BEGIN
    INSERT INTO people_committee_counts (zone_id, committee, shard, n)
        VALUES (NEW.zone_id, substr(NEW.org_path, 1, 112), substr(NEW.id, length(NEW.id), 1), 1)
        ON CONFLICT (zone_id, committee, shard) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER people_committee_count_delete AFTER DELETE ON people WHEN length(OLD.org_path) >= 112 BEGIN
    UPDATE people_committee_counts SET n = n - 1
        WHERE zone_id = OLD.zone_id AND committee = substr(OLD.org_path, 1, 112) AND shard = substr(OLD.id, length(OLD.id), 1);
END;
CREATE TRIGGER people_committee_count_update AFTER UPDATE OF zone_id, id, org_path ON people
WHEN OLD.zone_id IS NOT NEW.zone_id OR OLD.id IS NOT NEW.id
    OR substr(OLD.org_path, 1, 112) IS NOT substr(NEW.org_path, 1, 112)
    OR (length(OLD.org_path) >= 112) IS NOT (length(NEW.org_path) >= 112) BEGIN
    UPDATE people_committee_counts SET n = n - 1
        WHERE length(OLD.org_path) >= 112
            AND zone_id = OLD.zone_id AND committee = substr(OLD.org_path, 1, 112) AND shard = substr(OLD.id, length(OLD.id), 1);
    INSERT INTO people_committee_counts (zone_id, committee, shard, n)
        SELECT NEW.zone_id, substr(NEW.org_path, 1, 112), substr(NEW.id, length(NEW.id), 1), 1 WHERE length(NEW.org_path) >= 112
        ON CONFLICT (zone_id, committee, shard) DO UPDATE SET n = n + 1;
END;
-- dialect: postgres
-- org_path is set by the BEFORE trigger people_parks (0310) when a
-- statement sets org_id, and by people_parks_node when an organisation
-- moves: UPDATE OF names org_id for the former.
CREATE FUNCTION people_committee_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.zone_id = NEW.zone_id AND OLD.id = NEW.id
        AND substr(OLD.org_path, 1, 112) IS NOT DISTINCT FROM substr(NEW.org_path, 1, 112)
        AND (length(OLD.org_path) >= 112) IS NOT DISTINCT FROM (length(NEW.org_path) >= 112) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND length(OLD.org_path) >= 112 THEN
        UPDATE people_committee_counts SET n = n - 1
            WHERE zone_id = OLD.zone_id AND committee = substr(OLD.org_path, 1, 112) AND shard = substr(OLD.id, length(OLD.id), 1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND length(NEW.org_path) >= 112 THEN
        INSERT INTO people_committee_counts (zone_id, committee, shard, n)
            VALUES (NEW.zone_id, substr(NEW.org_path, 1, 112), substr(NEW.id, length(NEW.id), 1), 1)
            ON CONFLICT (zone_id, committee, shard) DO UPDATE SET n = people_committee_counts.n + 1;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER people_committee_count AFTER INSERT OR DELETE OR UPDATE OF zone_id, id, org_id, org_path ON people
    FOR EACH ROW EXECUTE FUNCTION people_committee_count();
-- dialect: all
