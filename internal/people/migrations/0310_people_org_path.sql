-- The path of a member's organisation, as a column of the row, so that an
-- organisation's people (`people?org_id`: the organisation and every one
-- under it) are one range of one index, read and counted there, instead
-- of one search of people_org per organisation of the subtree (172 of
-- them for a park's committee on the zone database) whose entries are
-- then sorted together.
--
-- org_path is the path of the scope node of org_id (NULL without one), so
-- "org_path in the organisation's path range" selects exactly the people
-- "org_id IN (the nodes in that range)" selected. Triggers keep it at the
-- moments the park columns' (0160) keep those: a person inserted or given
-- another organisation, an organisation's node inserted or moved
-- (nodes.Move rewrites the path of every node of the subtree, one row
-- each). On PostgreSQL the park columns' functions set it too.
-- dialect: sqlite
ALTER TABLE people ADD COLUMN org_path TEXT;
-- dialect: postgres
-- Byte-wise, as scope_nodes.path (0002): the range is a path prefix.
ALTER TABLE people ADD COLUMN org_path TEXT COLLATE "C";
-- dialect: all

UPDATE people SET org_path = (SELECT n.path FROM scope_nodes n WHERE n.id = people.org_id)
WHERE org_id IS NOT NULL;

-- dialect: sqlite
-- Triggers of their own: the park columns' (0160) must keep their place
-- among the triggers on people (SQLite runs the newest first, and the
-- counts kept per park, 0220, rely on the order they were created in).
CREATE TRIGGER people_org_path_insert AFTER INSERT ON people
WHEN NEW.org_id IS NOT NULL OR NEW.org_path IS NOT NULL BEGIN
    UPDATE people SET org_path = (SELECT n.path FROM scope_nodes n WHERE n.id = NEW.org_id) WHERE id = NEW.id;
END;
CREATE TRIGGER people_org_path_update AFTER UPDATE OF org_id ON people BEGIN
    UPDATE people SET org_path = (SELECT n.path FROM scope_nodes n WHERE n.id = NEW.org_id) WHERE id = NEW.id;
END;
CREATE TRIGGER people_org_path_node_insert AFTER INSERT ON scope_nodes WHEN NEW.kind = 'org' BEGIN
    UPDATE people SET org_path = NEW.path WHERE org_id = NEW.id;
END;
CREATE TRIGGER people_org_path_node_move AFTER UPDATE OF path ON scope_nodes WHEN NEW.kind = 'org' BEGIN
    UPDATE people SET org_path = NEW.path WHERE org_id = NEW.id;
END;
-- dialect: postgres
CREATE OR REPLACE FUNCTION people_parks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.enterprise_park_id := (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
        ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
        WHERE n.id = NEW.enterprise_id);
    NEW.org_park_id := (SELECT p.id FROM scope_nodes n JOIN scope_nodes p
        ON p.parent_id = n.zone_id AND p.kind = 'park' AND p.path = substr(n.path, 1, length(p.path))
        WHERE n.id = NEW.org_id);
    NEW.org_path := (SELECT n.path FROM scope_nodes n WHERE n.id = NEW.org_id);
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION people_parks_node() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    park TEXT := (SELECT p.id FROM scope_nodes p
        WHERE p.parent_id = NEW.zone_id AND p.kind = 'park' AND p.path = substr(NEW.path, 1, length(p.path)));
BEGIN
    IF NEW.kind = 'enterprise' THEN
        UPDATE people SET enterprise_park_id = park WHERE enterprise_id = NEW.id AND enterprise_park_id IS DISTINCT FROM park;
    ELSE
        UPDATE people SET org_park_id = park, org_path = NEW.path
        WHERE org_id = NEW.id AND (org_park_id IS DISTINCT FROM park OR org_path IS DISTINCT FROM NEW.path);
    END IF;
    RETURN NULL;
END $$;
-- dialect: all

-- An organisation's people in path order, then id: the range of its
-- subtree, read alone for the count and for the page's ids (sorted by id
-- after; an index cannot hold a subtree's people in id order).
CREATE INDEX people_org_path ON people(org_path, id);
