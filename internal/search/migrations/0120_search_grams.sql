-- search_grams indexes the search keys (package search) of every searchable
-- table by their n-grams, so that q finds its candidate rows through an
-- index instead of a LIKE '%…%' over every key of the table: each
-- two-character gram of each part of a key (a gram never spans the parts'
-- separator, U+001F, so neither does a match), and each single character
-- beyond ASCII (Chinese characters), for one-character queries. A query
-- still applies the exact LIKE to the candidates (search.Match).
--
-- The grams are written by triggers in the transaction that writes the key
-- (insert, update of search_key, delete), so every writer keeps them —
-- the domains, the generator, the tests — and this migration back-fills
-- the rows that exist. tbl is the table's name; row_id its row's id. The
-- grams carry no zone: a posting is never read by itself, only as the
-- candidates of a query whose own predicate carries the caller's scope
-- (and with it the zone); a platform administrator searches every zone.
-- A table that gains a search_key adds the same three triggers in its own
-- migration (see docs/adding-a-domain.md).
CREATE TABLE search_grams (
    tbl     TEXT NOT NULL,
    gram    TEXT NOT NULL,
    row_id  TEXT NOT NULL,
    PRIMARY KEY (tbl, gram, row_id)
)
-- dialect: sqlite
WITHOUT ROWID;

-- SQLite has no generate_series and allows no WITH in a trigger: the
-- positions 1…65,536 of a key are a table. Keys are far shorter (their
-- fields' limits add up to about 10,000 characters).
CREATE TABLE search_positions (n INTEGER PRIMARY KEY);
WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 65536)
INSERT INTO search_positions (n) SELECT n FROM p;
-- dialect: postgres
;

-- search_grams_of returns the distinct grams of the key k.
CREATE FUNCTION search_grams_of(k TEXT) RETURNS SETOF TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT g FROM (
        SELECT substr(k, n, 2) AS g FROM generate_series(1, length(k) - 1) AS n
        UNION
        SELECT substr(k, n, 1) FROM generate_series(1, length(k)) AS n WHERE ascii(substr(k, n, 1)) > 127
    ) x WHERE strpos(g, chr(31)) = 0
$$;

CREATE FUNCTION search_grams_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM search_grams WHERE tbl = TG_TABLE_NAME AND row_id = OLD.id
            AND gram IN (SELECT search_grams_of(OLD.search_key));
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO search_grams (tbl, gram, row_id)
            SELECT TG_TABLE_NAME, g, NEW.id FROM search_grams_of(NEW.search_key) AS g;
    END IF;
    RETURN NULL;
END
$$;
-- dialect: all

-- dialect: sqlite
CREATE TRIGGER people_search_insert AFTER INSERT ON people BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'people', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER people_search_update AFTER UPDATE OF search_key ON people WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'people' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'people', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER people_search_delete AFTER DELETE ON people BEGIN
    DELETE FROM search_grams WHERE tbl = 'people' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER enterprises_search_insert AFTER INSERT ON enterprises BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'enterprises', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER enterprises_search_update AFTER UPDATE OF search_key ON enterprises WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'enterprises' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'enterprises', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER enterprises_search_delete AFTER DELETE ON enterprises BEGIN
    DELETE FROM search_grams WHERE tbl = 'enterprises' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER orgs_search_insert AFTER INSERT ON orgs BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'orgs', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER orgs_search_update AFTER UPDATE OF search_key ON orgs WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'orgs' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'orgs', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER orgs_search_delete AFTER DELETE ON orgs BEGIN
    DELETE FROM search_grams WHERE tbl = 'orgs' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER stations_search_insert AFTER INSERT ON stations BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'stations', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER stations_search_update AFTER UPDATE OF search_key ON stations WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'stations' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'stations', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER stations_search_delete AFTER DELETE ON stations BEGIN
    DELETE FROM search_grams WHERE tbl = 'stations' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER alliances_search_insert AFTER INSERT ON alliances BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'alliances', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER alliances_search_update AFTER UPDATE OF search_key ON alliances WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'alliances' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'alliances', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER alliances_search_delete AFTER DELETE ON alliances BEGIN
    DELETE FROM search_grams WHERE tbl = 'alliances' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER workshops_search_insert AFTER INSERT ON workshops BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'workshops', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER workshops_search_update AFTER UPDATE OF search_key ON workshops WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'workshops' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'workshops', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER workshops_search_delete AFTER DELETE ON workshops BEGIN
    DELETE FROM search_grams WHERE tbl = 'workshops' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER activities_search_insert AFTER INSERT ON activities BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'activities', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER activities_search_update AFTER UPDATE OF search_key ON activities WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'activities' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'activities', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER activities_search_delete AFTER DELETE ON activities BEGIN
    DELETE FROM search_grams WHERE tbl = 'activities' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER activity_campaigns_search_insert AFTER INSERT ON activity_campaigns BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'activity_campaigns', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER activity_campaigns_search_update AFTER UPDATE OF search_key ON activity_campaigns WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'activity_campaigns' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'activity_campaigns', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER activity_campaigns_search_delete AFTER DELETE ON activity_campaigns BEGIN
    DELETE FROM search_grams WHERE tbl = 'activity_campaigns' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER chains_search_insert AFTER INSERT ON chains BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'chains', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER chains_search_update AFTER UPDATE OF search_key ON chains WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'chains' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'chains', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER chains_search_delete AFTER DELETE ON chains BEGIN
    DELETE FROM search_grams WHERE tbl = 'chains' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER institutes_search_insert AFTER INSERT ON institutes BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'institutes', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER institutes_search_update AFTER UPDATE OF search_key ON institutes WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'institutes' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'institutes', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER institutes_search_delete AFTER DELETE ON institutes BEGIN
    DELETE FROM search_grams WHERE tbl = 'institutes' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER listings_search_insert AFTER INSERT ON listings BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'listings', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER listings_search_update AFTER UPDATE OF search_key ON listings WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'listings' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'listings', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER listings_search_delete AFTER DELETE ON listings BEGIN
    DELETE FROM search_grams WHERE tbl = 'listings' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER cooperations_search_insert AFTER INSERT ON cooperations BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'cooperations', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER cooperations_search_update AFTER UPDATE OF search_key ON cooperations WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'cooperations' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'cooperations', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER cooperations_search_delete AFTER DELETE ON cooperations BEGIN
    DELETE FROM search_grams WHERE tbl = 'cooperations' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER resources_search_insert AFTER INSERT ON resources BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'resources', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER resources_search_update AFTER UPDATE OF search_key ON resources WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'resources' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'resources', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER resources_search_delete AFTER DELETE ON resources BEGIN
    DELETE FROM search_grams WHERE tbl = 'resources' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER brands_search_insert AFTER INSERT ON brands BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'brands', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER brands_search_update AFTER UPDATE OF search_key ON brands WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'brands' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'brands', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER brands_search_delete AFTER DELETE ON brands BEGIN
    DELETE FROM search_grams WHERE tbl = 'brands' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER innovations_search_insert AFTER INSERT ON innovations BEGIN
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'innovations', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER innovations_search_update AFTER UPDATE OF search_key ON innovations WHEN OLD.search_key IS NOT NEW.search_key BEGIN
    DELETE FROM search_grams WHERE tbl = 'innovations' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
    INSERT INTO search_grams (tbl, gram, row_id) SELECT 'innovations', g, NEW.id FROM (
        SELECT g FROM (SELECT substr(NEW.search_key, n, 2) AS g FROM search_positions WHERE n < length(NEW.search_key)
        UNION SELECT substr(NEW.search_key, n, 1) FROM search_positions WHERE n <= length(NEW.search_key) AND unicode(substr(NEW.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;
CREATE TRIGGER innovations_search_delete AFTER DELETE ON innovations BEGIN
    DELETE FROM search_grams WHERE tbl = 'innovations' AND row_id = OLD.id AND gram IN (
        SELECT g FROM (SELECT substr(OLD.search_key, n, 2) AS g FROM search_positions WHERE n < length(OLD.search_key)
        UNION SELECT substr(OLD.search_key, n, 1) FROM search_positions WHERE n <= length(OLD.search_key) AND unicode(substr(OLD.search_key, n, 1)) > 127)
        WHERE instr(g, char(31)) = 0);
END;

-- The back-fill, in the primary key's order.
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'people', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM people r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM people r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'enterprises', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM enterprises r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM enterprises r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'orgs', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM orgs r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM orgs r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'stations', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM stations r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM stations r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'alliances', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM alliances r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM alliances r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'workshops', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM workshops r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM workshops r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'activities', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM activities r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM activities r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'activity_campaigns', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM activity_campaigns r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM activity_campaigns r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'chains', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM chains r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM chains r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'institutes', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM institutes r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM institutes r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'listings', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM listings r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM listings r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'cooperations', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM cooperations r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM cooperations r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'resources', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM resources r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM resources r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'brands', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM brands r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM brands r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
INSERT INTO search_grams (tbl, gram, row_id)
SELECT DISTINCT 'innovations', g, id FROM (
    SELECT r.id, substr(r.search_key, p.n, 2) AS g FROM innovations r JOIN search_positions p ON p.n < length(r.search_key)
    UNION ALL
    SELECT r.id, substr(r.search_key, p.n, 1) FROM innovations r JOIN search_positions p ON p.n <= length(r.search_key)
        WHERE unicode(substr(r.search_key, p.n, 1)) > 127
) x WHERE instr(g, char(31)) = 0 ORDER BY 2, 3;
-- dialect: postgres
CREATE TRIGGER people_search_write AFTER INSERT OR DELETE ON people FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER people_search_update AFTER UPDATE OF search_key ON people FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER enterprises_search_write AFTER INSERT OR DELETE ON enterprises FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER enterprises_search_update AFTER UPDATE OF search_key ON enterprises FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER orgs_search_write AFTER INSERT OR DELETE ON orgs FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER orgs_search_update AFTER UPDATE OF search_key ON orgs FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER stations_search_write AFTER INSERT OR DELETE ON stations FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER stations_search_update AFTER UPDATE OF search_key ON stations FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER alliances_search_write AFTER INSERT OR DELETE ON alliances FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER alliances_search_update AFTER UPDATE OF search_key ON alliances FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER workshops_search_write AFTER INSERT OR DELETE ON workshops FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER workshops_search_update AFTER UPDATE OF search_key ON workshops FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER activities_search_write AFTER INSERT OR DELETE ON activities FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER activities_search_update AFTER UPDATE OF search_key ON activities FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER activity_campaigns_search_write AFTER INSERT OR DELETE ON activity_campaigns FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER activity_campaigns_search_update AFTER UPDATE OF search_key ON activity_campaigns FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER chains_search_write AFTER INSERT OR DELETE ON chains FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER chains_search_update AFTER UPDATE OF search_key ON chains FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER institutes_search_write AFTER INSERT OR DELETE ON institutes FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER institutes_search_update AFTER UPDATE OF search_key ON institutes FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER listings_search_write AFTER INSERT OR DELETE ON listings FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER listings_search_update AFTER UPDATE OF search_key ON listings FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER cooperations_search_write AFTER INSERT OR DELETE ON cooperations FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER cooperations_search_update AFTER UPDATE OF search_key ON cooperations FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER resources_search_write AFTER INSERT OR DELETE ON resources FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER resources_search_update AFTER UPDATE OF search_key ON resources FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER brands_search_write AFTER INSERT OR DELETE ON brands FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER brands_search_update AFTER UPDATE OF search_key ON brands FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER innovations_search_write AFTER INSERT OR DELETE ON innovations FOR EACH ROW EXECUTE FUNCTION search_grams_sync();
CREATE TRIGGER innovations_search_update AFTER UPDATE OF search_key ON innovations FOR EACH ROW
    WHEN (OLD.search_key IS DISTINCT FROM NEW.search_key) EXECUTE FUNCTION search_grams_sync();

INSERT INTO search_grams (tbl, gram, row_id) SELECT 'people', g, r.id FROM people r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'enterprises', g, r.id FROM enterprises r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'orgs', g, r.id FROM orgs r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'stations', g, r.id FROM stations r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'alliances', g, r.id FROM alliances r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'workshops', g, r.id FROM workshops r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'activities', g, r.id FROM activities r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'activity_campaigns', g, r.id FROM activity_campaigns r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'chains', g, r.id FROM chains r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'institutes', g, r.id FROM institutes r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'listings', g, r.id FROM listings r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'cooperations', g, r.id FROM cooperations r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'resources', g, r.id FROM resources r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'brands', g, r.id FROM brands r, search_grams_of(r.search_key) AS g;
INSERT INTO search_grams (tbl, gram, row_id) SELECT 'innovations', g, r.id FROM innovations r, search_grams_of(r.search_key) AS g;
-- dialect: all
