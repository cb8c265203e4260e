-- The organiser's name, as a column of the activity's row: an alliance's
-- name, or the name of the scope node organizer_id names (a zone, park,
-- station or party organisation), '' when neither is found. Every activity
-- shown looked it up in the same statement, three B-tree descents on
-- SQLite for a node (the alliance's missed, then the node's text key and
-- its row), 150 for a list of 50 (docs/scaling.md, "What each row shows, on
-- the row").
--
-- Triggers keep it, as migration 0210 keeps a person's names: an activity
-- inserted or given another organiser, an alliance or a node renamed,
-- removed or added (an id names at most one of them). The index finds an
-- organiser's activities when it is renamed.
ALTER TABLE activities ADD COLUMN organizer_name TEXT NOT NULL DEFAULT '';
CREATE INDEX activities_organizer ON activities(organizer_id);

UPDATE activities SET organizer_name = COALESCE((SELECT name FROM alliances WHERE alliances.id = activities.organizer_id),
    (SELECT name FROM scope_nodes WHERE scope_nodes.id = activities.organizer_id), '');

-- dialect: sqlite
CREATE TRIGGER activities_organizer_insert AFTER INSERT ON activities BEGIN
    UPDATE activities SET organizer_name = COALESCE((SELECT name FROM alliances WHERE alliances.id = NEW.organizer_id),
        (SELECT name FROM scope_nodes WHERE scope_nodes.id = NEW.organizer_id), '')
    WHERE id = NEW.id;
END;
CREATE TRIGGER activities_organizer_update AFTER UPDATE OF organizer_id ON activities BEGIN
    UPDATE activities SET organizer_name = COALESCE((SELECT name FROM alliances WHERE alliances.id = NEW.organizer_id),
        (SELECT name FROM scope_nodes WHERE scope_nodes.id = NEW.organizer_id), '')
    WHERE id = NEW.id;
END;
CREATE TRIGGER activities_organizer_alliance AFTER UPDATE OF name ON alliances WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE activities SET organizer_name = NEW.name WHERE organizer_id = NEW.id;
END;
CREATE TRIGGER activities_organizer_alliance_insert AFTER INSERT ON alliances BEGIN
    UPDATE activities SET organizer_name = NEW.name WHERE organizer_id = NEW.id;
END;
CREATE TRIGGER activities_organizer_alliance_delete AFTER DELETE ON alliances BEGIN
    UPDATE activities SET organizer_name = COALESCE((SELECT name FROM scope_nodes WHERE scope_nodes.id = OLD.id), '')
    WHERE organizer_id = OLD.id;
END;
CREATE TRIGGER activities_organizer_node AFTER UPDATE OF name ON scope_nodes WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE activities SET organizer_name = COALESCE((SELECT name FROM alliances WHERE alliances.id = NEW.id), NEW.name)
    WHERE organizer_id = NEW.id;
END;
CREATE TRIGGER activities_organizer_node_insert AFTER INSERT ON scope_nodes BEGIN
    UPDATE activities SET organizer_name = COALESCE((SELECT name FROM alliances WHERE alliances.id = NEW.id), NEW.name)
    WHERE organizer_id = NEW.id;
END;
CREATE TRIGGER activities_organizer_node_delete AFTER DELETE ON scope_nodes BEGIN
    UPDATE activities SET organizer_name = COALESCE((SELECT name FROM alliances WHERE alliances.id = OLD.id), '')
    WHERE organizer_id = OLD.id;
END;
-- dialect: postgres
CREATE FUNCTION activities_organizer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.organizer_name := COALESCE((SELECT name FROM alliances WHERE alliances.id = NEW.organizer_id),
        (SELECT name FROM scope_nodes WHERE scope_nodes.id = NEW.organizer_id), '');
    RETURN NEW;
END $$;
CREATE TRIGGER activities_organizer BEFORE INSERT OR UPDATE OF organizer_id ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_organizer();
-- An alliance or a node named organizer_id changed: its activities'
-- names are read again (the alliance's first, as on insert).
CREATE FUNCTION activities_organizer_named() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    named TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        named := OLD.id;
    ELSE
        named := NEW.id;
    END IF;
    UPDATE activities SET organizer_name = COALESCE((SELECT name FROM alliances WHERE alliances.id = named),
        (SELECT name FROM scope_nodes WHERE scope_nodes.id = named), '')
    WHERE organizer_id = named;
    RETURN NULL;
END $$;
CREATE TRIGGER activities_organizer_alliance AFTER INSERT OR DELETE ON alliances
    FOR EACH ROW EXECUTE FUNCTION activities_organizer_named();
CREATE TRIGGER activities_organizer_alliance_name AFTER UPDATE OF name ON alliances
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION activities_organizer_named();
CREATE TRIGGER activities_organizer_node AFTER INSERT OR DELETE ON scope_nodes
    FOR EACH ROW EXECUTE FUNCTION activities_organizer_named();
CREATE TRIGGER activities_organizer_node_name AFTER UPDATE OF name ON scope_nodes
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION activities_organizer_named();
-- dialect: all
