-- A person's enterprise's and organisation's names, as columns of the row,
-- so that reading a person (a get, each row of a list) is the row alone
-- rather than the row and a lookup of each name: on SQLite each lookup is
-- two B-tree descents (the text primary key's index, then the table), four
-- for every person shown, and they were a third of a park's list
-- (docs/scaling.md, "Names on the row").
--
-- Triggers, not the domain's code, keep them, as with the park columns
-- (migration 0160): a person inserted or given another enterprise or
-- organisation, and an enterprise or organisation renamed. '' when there
-- is none, as the lookups answered.
ALTER TABLE people ADD COLUMN enterprise_name TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN org_name TEXT NOT NULL DEFAULT '';

UPDATE people SET
    enterprise_name = COALESCE((SELECT e.name FROM enterprises e WHERE e.id = people.enterprise_id), ''),
    org_name = COALESCE((SELECT o.name FROM orgs o WHERE o.id = people.org_id), '')
WHERE enterprise_id IS NOT NULL OR org_id IS NOT NULL;

-- dialect: sqlite
CREATE TRIGGER people_names_insert AFTER INSERT ON people
WHEN NEW.enterprise_id IS NOT NULL OR NEW.org_id IS NOT NULL OR NEW.enterprise_name <> '' OR NEW.org_name <> '' BEGIN
    UPDATE people SET
        enterprise_name = COALESCE((SELECT e.name FROM enterprises e WHERE e.id = NEW.enterprise_id), ''),
        org_name = COALESCE((SELECT o.name FROM orgs o WHERE o.id = NEW.org_id), '')
    WHERE id = NEW.id;
END;
CREATE TRIGGER people_names_update AFTER UPDATE OF enterprise_id, org_id ON people BEGIN
    UPDATE people SET
        enterprise_name = COALESCE((SELECT e.name FROM enterprises e WHERE e.id = NEW.enterprise_id), ''),
        org_name = COALESCE((SELECT o.name FROM orgs o WHERE o.id = NEW.org_id), '')
    WHERE id = NEW.id;
END;
CREATE TRIGGER people_names_enterprise AFTER UPDATE OF name ON enterprises WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE people SET enterprise_name = NEW.name WHERE enterprise_id = NEW.id;
END;
CREATE TRIGGER people_names_org AFTER UPDATE OF name ON orgs WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE people SET org_name = NEW.name WHERE org_id = NEW.id;
END;
-- dialect: postgres
CREATE FUNCTION people_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.enterprise_name := COALESCE((SELECT e.name FROM enterprises e WHERE e.id = NEW.enterprise_id), '');
    NEW.org_name := COALESCE((SELECT o.name FROM orgs o WHERE o.id = NEW.org_id), '');
    RETURN NEW;
END $$;
CREATE TRIGGER people_names BEFORE INSERT OR UPDATE OF enterprise_id, org_id ON people
    FOR EACH ROW EXECUTE FUNCTION people_names();
CREATE FUNCTION people_names_enterprise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE people SET enterprise_name = NEW.name WHERE enterprise_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER people_names_enterprise AFTER UPDATE OF name ON enterprises
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION people_names_enterprise();
CREATE FUNCTION people_names_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE people SET org_name = NEW.name WHERE org_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER people_names_org AFTER UPDATE OF name ON orgs
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION people_names_org();
-- dialect: all
