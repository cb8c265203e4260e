-- An organisation's secretary's name and the enterprises it covers, kept
-- on its row by triggers in the same transaction, so that its get reads
-- one row: the people table's index and row for the name, and
-- org_enterprises' index for the ids, were a third of the get's server
-- CPU under load (docs/scaling.md, stop 33). secretary_name is the name
-- of the person secretary_id names (NULL when none, or no such person);
-- enterprise_ids are its org_enterprises' enterprise ids joined by ','
-- (ids hold no comma; in no order, the reader sorts them).
ALTER TABLE orgs ADD COLUMN secretary_name TEXT;
ALTER TABLE orgs ADD COLUMN enterprise_ids TEXT NOT NULL DEFAULT '';
UPDATE orgs SET secretary_name = (SELECT name FROM people WHERE id = orgs.secretary_id)
    WHERE secretary_id IS NOT NULL;
UPDATE orgs SET enterprise_ids = (SELECT string_agg(enterprise_id, ',') FROM org_enterprises WHERE org_id = orgs.id)
    WHERE id IN (SELECT org_id FROM org_enterprises);
-- A person renamed or removed finds the organisations they lead.
CREATE INDEX orgs_secretary ON orgs(secretary_id) WHERE secretary_id IS NOT NULL;

-- dialect: sqlite
CREATE TRIGGER org_secretary_name_insert AFTER INSERT ON orgs WHEN NEW.secretary_id IS NOT NULL BEGIN
    UPDATE orgs SET secretary_name = (SELECT name FROM people WHERE id = NEW.secretary_id) WHERE id = NEW.id;
END;
CREATE TRIGGER org_secretary_name_update AFTER UPDATE OF secretary_id ON orgs
WHEN OLD.secretary_id IS NOT NEW.secretary_id BEGIN
    UPDATE orgs SET secretary_name = (SELECT name FROM people WHERE id = NEW.secretary_id) WHERE id = NEW.id;
END;
CREATE TRIGGER org_secretary_person_insert AFTER INSERT ON people BEGIN
    UPDATE orgs SET secretary_name = NEW.name WHERE secretary_id = NEW.id;
END;
CREATE TRIGGER org_secretary_person_rename AFTER UPDATE OF name ON people
WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE orgs SET secretary_name = NEW.name WHERE secretary_id = NEW.id;
END;
CREATE TRIGGER org_secretary_person_delete AFTER DELETE ON people BEGIN
    UPDATE orgs SET secretary_name = NULL WHERE secretary_id = OLD.id;
END;
CREATE TRIGGER org_enterprise_ids_insert AFTER INSERT ON org_enterprises BEGIN
    UPDATE orgs SET enterprise_ids = (SELECT string_agg(enterprise_id, ',') FROM org_enterprises WHERE org_id = NEW.org_id)
        WHERE id = NEW.org_id;
END;
CREATE TRIGGER org_enterprise_ids_delete AFTER DELETE ON org_enterprises BEGIN
    UPDATE orgs SET enterprise_ids = COALESCE((SELECT string_agg(enterprise_id, ',') FROM org_enterprises WHERE org_id = OLD.org_id), '')
        WHERE id = OLD.org_id;
END;
CREATE TRIGGER org_enterprise_ids_update AFTER UPDATE ON org_enterprises BEGIN
    UPDATE orgs SET enterprise_ids = COALESCE((SELECT string_agg(enterprise_id, ',') FROM org_enterprises WHERE org_id = orgs.id), '')
        WHERE id IN (OLD.org_id, NEW.org_id);
END;
-- dialect: postgres
-- Writers on PostgreSQL run side by side, each statement seeing what was
-- committed when it began. The name is read with the person's row locked
-- (FOR SHARE): a rename under way waits for the change of secretary, or
-- the change for the rename, so the later one always sees the earlier.
-- It is set before the organisation's row is written: a change of
-- secretary writes one row version, not two.
CREATE FUNCTION org_secretary_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR OLD.secretary_id IS DISTINCT FROM NEW.secretary_id THEN
        SELECT name INTO NEW.secretary_name FROM people WHERE id = NEW.secretary_id FOR SHARE;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER org_secretary_name BEFORE INSERT OR UPDATE OF secretary_id ON orgs
    FOR EACH ROW EXECUTE FUNCTION org_secretary_name();
CREATE FUNCTION org_secretary_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE orgs SET secretary_name = NULL WHERE secretary_id = OLD.id;
    ELSIF TG_OP = 'INSERT' OR OLD.name IS DISTINCT FROM NEW.name THEN
        UPDATE orgs SET secretary_name = NEW.name WHERE secretary_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER org_secretary_person AFTER INSERT OR DELETE OR UPDATE OF name ON people
    FOR EACH ROW EXECUTE FUNCTION org_secretary_person();
-- Each link adds or removes its own id from the row's list, an expression
-- of the row itself: two links written at once to one organisation wait
-- on its row, and the second is applied to what the first left. Counting
-- the links again would read them as they were when the statement began,
-- and lose the first.
CREATE FUNCTION org_enterprise_ids() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE orgs SET enterprise_ids = btrim(replace(',' || enterprise_ids || ',', ',' || OLD.enterprise_id || ',', ','), ',')
            WHERE id = OLD.org_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE orgs SET enterprise_ids = CASE WHEN enterprise_ids = '' THEN NEW.enterprise_id ELSE enterprise_ids || ',' || NEW.enterprise_id END
            WHERE id = NEW.org_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER org_enterprise_ids AFTER INSERT OR DELETE OR UPDATE ON org_enterprises
    FOR EACH ROW EXECUTE FUNCTION org_enterprise_ids();
-- dialect: all
