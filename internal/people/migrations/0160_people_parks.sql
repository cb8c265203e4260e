-- The park a person lies in, as columns of the row, so that a park's
-- people (`people?park_id`) are read and counted from index entries that
-- hold the park, instead of testing every person of the zone against the
-- park's subtree of scope nodes.
--
-- A person lies in park P when their enterprise's or their organisation's
-- scope node lies under P's node (the filter's meaning, unchanged). The two
-- can differ: an organisation under the zone's working committee lies in no
-- park's subtree, and a joint branch's members work in other parks. So
-- there are two columns: enterprise_park_id, the park whose subtree holds
-- the enterprise's node, and org_park_id, the organisation's; NULL when
-- there is none (no enterprise, or a node in no park's subtree). Parks are
-- children of their zone's node (parks.Create; nothing moves a park), so
-- the park of node n is the child p of n's zone of kind park whose path
-- begins n's path.
--
-- Triggers, not the domain's code, keep them, so that every writer keeps
-- them right: a person inserted or given another enterprise or
-- organisation (edits, transfers, party development, imports, `tongxin
-- gen`), and an enterprise or organisation whose node moves (nodes.Move
-- rewrites the path of every node of the subtree, one row each).
ALTER TABLE people ADD COLUMN enterprise_park_id TEXT;
ALTER TABLE people ADD COLUMN org_park_id TEXT;

UPDATE people SET
    enterprise_park_id = (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
        ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
        WHERE n.id = people.enterprise_id),
    org_park_id = (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
        ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
        WHERE n.id = people.org_id)
WHERE enterprise_id IS NOT NULL OR org_id IS NOT NULL;

-- dialect: sqlite
CREATE TRIGGER people_parks_insert AFTER INSERT ON people
WHEN NEW.enterprise_id IS NOT NULL OR NEW.org_id IS NOT NULL OR NEW.enterprise_park_id IS NOT NULL OR NEW.org_park_id IS NOT NULL BEGIN
    UPDATE people SET
        enterprise_park_id = (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
            ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
            WHERE n.id = NEW.enterprise_id),
        org_park_id = (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
            ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
            WHERE n.id = NEW.org_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER people_parks_update AFTER UPDATE OF enterprise_id, org_id ON people BEGIN
    UPDATE people SET
        enterprise_park_id = (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
            ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
            WHERE n.id = NEW.enterprise_id),
        org_park_id = (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
            ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
            WHERE n.id = NEW.org_id)
    WHERE id = NEW.id;
END;
CREATE TRIGGER people_parks_node_insert AFTER INSERT ON scope_nodes WHEN NEW.kind IN ('enterprise', 'org') BEGIN
    UPDATE people SET enterprise_park_id = (SELECT p.id FROM scope_nodes p
            WHERE p.parent_id = NEW.zone_id AND p.kind = 'park' AND p.path = substr(NEW.path, 1, length(p.path)))
        WHERE NEW.kind = 'enterprise' AND enterprise_id = NEW.id;
    UPDATE people SET org_park_id = (SELECT p.id FROM scope_nodes p
            WHERE p.parent_id = NEW.zone_id AND p.kind = 'park' AND p.path = substr(NEW.path, 1, length(p.path)))
        WHERE NEW.kind = 'org' AND org_id = NEW.id;
END;
CREATE TRIGGER people_parks_node_move AFTER UPDATE OF path ON scope_nodes WHEN NEW.kind IN ('enterprise', 'org') BEGIN
    UPDATE people SET enterprise_park_id = (SELECT p.id FROM scope_nodes p
            WHERE p.parent_id = NEW.zone_id AND p.kind = 'park' AND p.path = substr(NEW.path, 1, length(p.path)))
        WHERE NEW.kind = 'enterprise' AND enterprise_id = NEW.id;
    UPDATE people SET org_park_id = (SELECT p.id FROM scope_nodes p
            WHERE p.parent_id = NEW.zone_id AND p.kind = 'park' AND p.path = substr(NEW.path, 1, length(p.path)))
        WHERE NEW.kind = 'org' AND org_id = NEW.id;
END;
-- dialect: postgres
CREATE FUNCTION people_parks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.enterprise_park_id := (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
        ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
        WHERE n.id = NEW.enterprise_id);
    NEW.org_park_id := (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
        ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
        WHERE n.id = NEW.org_id);
    RETURN NEW;
END $$;
CREATE TRIGGER people_parks BEFORE INSERT OR UPDATE OF enterprise_id, org_id ON people
    FOR EACH ROW EXECUTE FUNCTION people_parks();
CREATE FUNCTION people_parks_node() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    park TEXT := (SELECT p.id FROM scope_nodes p
        WHERE p.parent_id = NEW.zone_id AND p.kind = 'park' AND p.path = substr(NEW.path, 1, length(p.path)));
BEGIN
    IF NEW.kind = 'enterprise' THEN
        UPDATE people SET enterprise_park_id = park WHERE enterprise_id = NEW.id AND enterprise_park_id IS DISTINCT FROM park;
    ELSE
        UPDATE people SET org_park_id = park WHERE org_id = NEW.id AND org_park_id IS DISTINCT FROM park;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER people_parks_node AFTER INSERT OR UPDATE OF path ON scope_nodes
    FOR EACH ROW WHEN (NEW.kind IN ('enterprise', 'org')) EXECUTE FUNCTION people_parks_node();
-- dialect: all

-- The indexes each engine reads a park's people from (measured on the zone
-- database, docs/scaling.md). SQLite: one per column, in id order after
-- the membership, so that the list reads the union of two ranges as a
-- sorted list of ids and counts it without the zone's other entries.
-- PostgreSQL: an OR of the two columns over the zone's entries of one
-- index, read alone for the count (a bitmap of two park indexes would read
-- every row of the park from the heap: 43 ms instead of 11 ms before for
-- a park's 9,850 people), the page from the primary key in id order.
-- dialect: sqlite
CREATE INDEX people_enterprise_park ON people(zone_id, enterprise_park_id, party_status, id);
CREATE INDEX people_org_park ON people(zone_id, org_park_id, party_status, id);
-- dialect: postgres
CREATE INDEX people_party_parks ON people(zone_id, party_status, enterprise_park_id, org_park_id);
-- dialect: all
