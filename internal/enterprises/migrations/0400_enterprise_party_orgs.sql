-- How many party organisations cover an enterprise (its rows of
-- org_enterprises), kept on the enterprise's row by triggers in the same
-- transaction: has_party_org is then a column of the row. Every listed
-- or read enterprise asked org_enterprises' index with a scalar subquery,
-- and on SQLite each run of a correlated subquery opens and closes its
-- cursor: a park's page of 50 took about 145 µs alone on the zone
-- database, 30 of them for that flag (docs/scaling.md, stop 31).
ALTER TABLE enterprises ADD COLUMN party_orgs INTEGER NOT NULL DEFAULT 0;
UPDATE enterprises SET party_orgs = (SELECT COUNT(*) FROM org_enterprises oe WHERE oe.enterprise_id = enterprises.id)
    WHERE id IN (SELECT enterprise_id FROM org_enterprises);

-- dialect: sqlite
CREATE TRIGGER enterprise_party_orgs_insert AFTER INSERT ON org_enterprises BEGIN
    UPDATE enterprises SET party_orgs = party_orgs + 1 WHERE id = NEW.enterprise_id;
END;
CREATE TRIGGER enterprise_party_orgs_delete AFTER DELETE ON org_enterprises BEGIN
    UPDATE enterprises SET party_orgs = party_orgs - 1 WHERE id = OLD.enterprise_id;
END;
CREATE TRIGGER enterprise_party_orgs_update AFTER UPDATE OF enterprise_id ON org_enterprises
WHEN OLD.enterprise_id IS NOT NEW.enterprise_id BEGIN
    UPDATE enterprises SET party_orgs = party_orgs - 1 WHERE id = OLD.enterprise_id;
    UPDATE enterprises SET party_orgs = party_orgs + 1 WHERE id = NEW.enterprise_id;
END;
-- dialect: postgres
CREATE FUNCTION enterprise_party_orgs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.enterprise_id = NEW.enterprise_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE enterprises SET party_orgs = party_orgs - 1 WHERE id = OLD.enterprise_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        UPDATE enterprises SET party_orgs = party_orgs + 1 WHERE id = NEW.enterprise_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER enterprise_party_orgs AFTER INSERT OR DELETE OR UPDATE OF enterprise_id ON org_enterprises
    FOR EACH ROW EXECUTE FUNCTION enterprise_party_orgs();
-- dialect: all
